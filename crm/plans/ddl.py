"""Hand-written DDL for plan search (FTS5 on SQLite), shared by the migrations that create and restore it: the
trigram index of the text, the index of its two-character runs and the index of its count tokens."""

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
COUNTS_TABLE = ("CREATE VIRTUAL TABLE plan_fts_counts USING fts5(text_counts, content='plan_paragraph', "
                "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
COUNTS_TRIGGERS = [
    "CREATE TRIGGER plan_paragraph_counts_ai AFTER INSERT ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts_counts(rowid, text_counts) VALUES (new.id, new.text_counts); END",
    "CREATE TRIGGER plan_paragraph_counts_ad AFTER DELETE ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts_counts(plan_fts_counts, rowid, text_counts) VALUES ('delete', old.id, old.text_counts); "
    "END",
    "CREATE TRIGGER plan_paragraph_counts_au AFTER UPDATE ON plan_paragraph BEGIN "
    "INSERT INTO plan_fts_counts(plan_fts_counts, rowid, text_counts) VALUES ('delete', old.id, old.text_counts); "
    "INSERT INTO plan_fts_counts(rowid, text_counts) VALUES (new.id, new.text_counts); END",
]
COUNTS_TRIGGER_NAMES = ('plan_paragraph_counts_ai', 'plan_paragraph_counts_ad', 'plan_paragraph_counts_au')
