-- A program's own questions on its application form, and applicants' answers.

-- Removing a question that has answers archives it (archived_at), so the answers stay
-- readable on the applications until their retention erases them.
CREATE TABLE program_questions (
    id                INTEGER PRIMARY KEY,
    program_id        INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('text', 'choice', 'yes_no', 'date', 'document')),
    label             TEXT NOT NULL,
    help              TEXT NOT NULL DEFAULT '',
    -- The options of a choice question, one per line.
    options           TEXT NOT NULL DEFAULT '',
    required          BOOLEAN NOT NULL,
    sensitive         BOOLEAN NOT NULL,
    retention_months  INTEGER NOT NULL CHECK (retention_months BETWEEN 1 AND 120),
    position          INTEGER NOT NULL,
    archived_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX program_questions_by_program ON program_questions (program_id, position);

-- One answer per application and question. A document keeps its file name in value and
-- its bytes in file; erasing blanks value and file and sets erased_at.
CREATE TABLE application_answers (
    application_id    INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    question_id       INTEGER NOT NULL REFERENCES program_questions (id) ON DELETE CASCADE,
    value             TEXT NOT NULL DEFAULT '',
    content_type      TEXT,
    file              BLOB,
    created_at        BIGINT NOT NULL,
    erased_at         BIGINT,
    PRIMARY KEY (application_id, question_id)
);
CREATE INDEX application_answers_by_question ON application_answers (question_id);
