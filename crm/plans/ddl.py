"""Hand-written DDL for plan search (FTS5 on SQLite), shared by the migrations that create and restore it."""

TRIGRAM_TABLE = ("CREATE VIRTUAL TABLE plan_fts USING fts5(text_norm, content='plan_paragraph', content_rowid='id', "
                 "tokenize='trigram')")
TRIGRAM_TRIGGERS = [
    "CREATE TRIGGER plan_paragraph_ai AFTER INSERT ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts(rowid, text_norm) VALUES (new.id, new.text_norm); END",
    "CREATE TRIGGER plan_paragraph_ad AFTER DELETE ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts(plan_fts, rowid, text_norm) VALUES ('delete', old.id, old.text_norm); END",
    "CREATE TRIGGER plan_paragraph_au AFTER UPDATE ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts(plan_fts, rowid, text_norm) VALUES ('delete', old.id, old.text_norm); "
    "INSERT INTO plan_fts(rowid, text_norm) VALUES (new.id, new.text_norm); END",
]
BIGRAM_TABLE = ("CREATE VIRTUAL TABLE plan_fts_bigram USING fts5(text_bigrams, content='plan_paragraph', "
                "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
BIGRAM_TRIGGERS = [
    "CREATE TRIGGER plan_paragraph_bigram_ai AFTER INSERT ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts_bigram(rowid, text_bigrams) VALUES (new.id, new.text_bigrams); END",
    "CREATE TRIGGER plan_paragraph_bigram_ad AFTER DELETE ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts_bigram(plan_fts_bigram, rowid, text_bigrams) VALUES ('delete', old.id, old.text_bigrams); "
    "END",
    "CREATE TRIGGER plan_paragraph_bigram_au AFTER UPDATE ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts_bigram(plan_fts_bigram, rowid, text_bigrams) VALUES ('delete', old.id, old.text_bigrams); "
    "INSERT INTO plan_fts_bigram(rowid, text_bigrams) VALUES (new.id, new.text_bigrams); END",
]
TRIGRAM_TRIGGER_NAMES = ('plan_paragraph_ai', 'plan_paragraph_ad', 'plan_paragraph_au')
BIGRAM_TRIGGER_NAMES = ('plan_paragraph_bigram_ai', 'plan_paragraph_bigram_ad', 'plan_paragraph_bigram_au')
