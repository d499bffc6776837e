"""Photos and floor plans: checked by content, served only inside the viewer's scope."""
import io

from sqlalchemy import select

from crm.platforms.models import MediaFile
from tests.conftest import csrf_from, errors_beside

PNG = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89'
       b'\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82')


def _post(client, building_id, data, name, unit_id=None):
    token = csrf_from(client.get(f'/platforms/buildings/{building_id}').data)
    form = {'csrf_token': token, 'file': (io.BytesIO(data), name)}
    if unit_id:
        form['unit_id'] = str(unit_id)
    return client.post(f'/platforms/buildings/{building_id}/media', data=form, content_type='multipart/form-data',
                       follow_redirects=True)


def test_upload_checks_content_and_scope_applies_to_serving(app, client, factories, logged_in, db_session):
    own, other = factories.platform('图园'), factories.platform('他园')
    own_building, other_building = factories.building(own), factories.building(other)
    unit = factories.unit(own_building, number='808')
    logged_in('park_manager', platforms=[own])
    refused = _post(client, own_building.id, b'<script>alert(1)</script>', 'evil.png')
    assert '只接受 JPEG、PNG 或 WebP 图片' in refused.get_data(as_text=True)
    assert _post(client, own_building.id, PNG, 'plan.png').status_code == 200
    assert _post(client, own_building.id, PNG, 'photo.png', unit_id=unit.id).status_code == 200
    media = db_session.scalars(select(MediaFile).where(MediaFile.building_id == own_building.id)).all()
    assert {m.kind for m in media} == {'floor_plan', 'photo'}
    assert all(m.stored_name.endswith('.png') and 'plan' not in m.stored_name for m in media)
    served = client.get(f'/platforms/media/{media[0].id}')
    assert served.status_code == 200 and served.data == PNG and served.mimetype == 'image/png'
    assert _post(client, other_building.id, PNG, 'x.png').status_code == 404


def test_other_platforms_images_are_404_and_officers_cannot_upload(app, client, factories, logged_in, db_session):
    own, other = factories.platform('甲图园'), factories.platform('乙图园')
    other_building = factories.building(other)
    with app.test_request_context():
        from crm.db import db
        from crm.platforms.media import store
        from crm.platforms.models import Building
        media = store(PNG, 'p.png', building=db.session.get(Building, other_building.id), unit=None,
                      kind='floor_plan', actor_id=None)
        db.session.commit()
        media_id = media.id
    logged_in('park_manager', platforms=[own])
    assert client.get(f'/platforms/media/{media_id}').status_code == 404
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('officer')
    assert client.get(f'/platforms/media/{media_id}').status_code == 200
    token = csrf_from(client.get('/').data)
    response = client.post(f'/platforms/buildings/{other_building.id}/media', data={
        'csrf_token': token, 'file': (io.BytesIO(PNG), 'x.png')}, content_type='multipart/form-data')
    assert response.status_code == 403


def test_a_refused_image_comes_back_beside_the_file_input_of_the_page_it_was_chosen_on(
        client, factories, logged_in, db_session):
    own = factories.platform('退图园')
    building = factories.building(own, name='退图楼')
    unit = factories.unit(building, number='909')
    logged_in('park_manager', platforms=[own])
    plan = _post(client, building.id, b'<script>alert(1)</script>', 'plan.png')
    html = plan.get_data(as_text=True)
    assert plan.status_code == 422 and '<h1>退图楼' in html, 'the building page again'
    assert any('只接受 JPEG、PNG 或 WebP 图片' in message for message in errors_beside(html, 'file'))
    token = csrf_from(client.get(f'/platforms/units/{unit.id}').data)
    photo = client.post(f'/platforms/buildings/{building.id}/media', data={'csrf_token': token, 'unit_id': unit.id},
                        content_type='multipart/form-data')
    html = photo.get_data(as_text=True)
    assert photo.status_code == 422 and errors_beside(html, 'file') == ['请选择图片文件。']
    assert f'name="unit_id" value="{unit.id}"' in html, 'the photo stays the unit\'s'
    assert 'name="number"' in html and 'value="909"' in html, 'the unit\'s own page, its form as stored'
    assert db_session.scalars(select(MediaFile).where(MediaFile.building_id == building.id)).all() == []
