-- Gespreksspiegel database schema. Applied on every write connection: every statement is idempotent.
-- Contract: ../shared/spec/interfaces.md (tables, columns) and metrics.md (session_metrics).
-- Columns may be added (ALTER TABLE ... ADD COLUMN IF NOT EXISTS at the end); none may be renamed.
-- /*@name@*/ marks the label lists that store/connection.py fills in from core/taxonomy.py (one column per
-- label: label_count_<label>, label_rate_<label>), so no label is copied here by hand.

CREATE TABLE IF NOT EXISTS sessions (
    session_id      VARCHAR PRIMARY KEY,
    source_sha256   VARCHAR NOT NULL UNIQUE,
    source_name     VARCHAR NOT NULL,
    recorded_at     DATE,
    practitioner    VARCHAR,
    client_code     VARCHAR,
    language        VARCHAR NOT NULL,
    duration_s      DOUBLE,
    asr_model       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    source_kind     VARCHAR NOT NULL DEFAULT 'audio',   -- audio | transcript | sample
    has_times       BOOLEAN NOT NULL DEFAULT TRUE,      -- false for imported text without times
    asr_options     JSON,                                -- how the transcript was made
    num_speakers    INTEGER,
    role_confidence DOUBLE,                              -- 0..1, how sure the practitioner/client decision is
    warnings        VARCHAR[] NOT NULL DEFAULT []        -- machine codes, shown translated in the dashboard
);

CREATE TABLE IF NOT EXISTS utterances (
    session_id  VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    speaker     VARCHAR NOT NULL,
    role        VARCHAR NOT NULL CHECK (role IN ('practitioner', 'client', 'other')),
    start_s     DOUBLE,
    end_s       DOUBLE,
    text        VARCHAR NOT NULL,
    orientation VARCHAR NOT NULL CHECK (orientation IN ('solution', 'problem', 'neutral')),
    is_question BOOLEAN NOT NULL DEFAULT FALSE,
    scale_value DOUBLE,
    PRIMARY KEY (session_id, idx)
);

CREATE TABLE IF NOT EXISTS tags (
    session_id    VARCHAR NOT NULL,
    utterance_idx INTEGER NOT NULL,
    label         VARCHAR NOT NULL,
    subtype       VARCHAR,
    value         DOUBLE,
    start_char    INTEGER NOT NULL,
    end_char      INTEGER NOT NULL,
    rule          VARCHAR NOT NULL
);

-- Word times, for the timeline and for re-splitting utterances when speakers are corrected.
CREATE TABLE IF NOT EXISTS words (
    session_id    VARCHAR NOT NULL,
    utterance_idx INTEGER NOT NULL,
    word_idx      INTEGER NOT NULL,
    start_s       DOUBLE NOT NULL,
    end_s         DOUBLE NOT NULL,
    text          VARCHAR NOT NULL,
    probability   DOUBLE
);

-- One row per speaker label of a session: the role decision and how it was made.
CREATE TABLE IF NOT EXISTS speakers (
    session_id  VARCHAR NOT NULL,
    speaker     VARCHAR NOT NULL,
    role        VARCHAR NOT NULL CHECK (role IN ('practitioner', 'client', 'other')),
    role_source VARCHAR NOT NULL DEFAULT 'auto',   -- auto | transcript | enrolled | corrected
    PRIMARY KEY (session_id, speaker)
);

-- Enrolled practitioner voices (spiegel enroll).
CREATE TABLE IF NOT EXISTS voiceprints (
    name       VARCHAR PRIMARY KEY,
    embedding  FLOAT[] NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS schema_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
INSERT OR REPLACE INTO schema_info VALUES ('schema_version', '2');

-- Added columns (idempotent; none renamed).
-- record: the parts of the session record that have no columns of their own (audio facts, ASR info, speech
-- regions, diarization and its options, role sources, provenance), so a stored session reads back whole.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS record JSON;

-- ---------------------------------------------------------------------------------------------------------
-- session_metrics: one row per session and role (practitioner, client, all); definitions in metrics.md.
-- Time-based figures use utterance durations; sessions without times (imported text) get NULL there and
-- count-based figures (solution_talk_ratio_count, talk_share by words) are what the dashboard shows.
--
-- Computed once per session when it is written (store/sessions.py calls `session_metrics_of([id])` in the
-- write's transaction) and kept in the table `session_metrics_stored`; `session_metrics` is a view over that
-- table, so reading it costs a table scan, not a recomputation over every utterance of every session.
-- The table macros take a list of session ids, or NULL for all sessions; every step is an equi-join or a
-- window per session (no correlated subqueries), so computing all sessions grows linearly.
-- ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE MACRO utterance_facts_of(ids) AS TABLE
WITH base AS (
    SELECT
        u.*,
        greatest(coalesce(u.end_s - u.start_s, 0), 0) AS dur_s,
        length(regexp_split_to_array(trim(u.text), '\s+')) AS n_words,
        lag(u.speaker) OVER (PARTITION BY u.session_id ORDER BY u.idx) AS prev_speaker
    FROM utterances u
    WHERE ids IS NULL OR list_contains(ids, u.session_id)
), turns AS (
    SELECT *,
        sum(CASE WHEN prev_speaker IS NULL OR prev_speaker <> speaker THEN 1 ELSE 0 END)
            OVER (PARTITION BY session_id ORDER BY idx) AS turn_no
    FROM base
), tag_lists AS (
    SELECT g.session_id, g.utterance_idx, list(DISTINCT g.label) AS labels
    FROM tags g
    WHERE ids IS NULL OR list_contains(ids, g.session_id)
    GROUP BY ALL
)
SELECT t.*,
    coalesce(l.labels, []) AS labels,
    -- a practitioner question: said as a question, or carrying a question technique label
    (t.role = 'practitioner' AND (t.is_question OR list_has_any(coalesce(l.labels, []), [
        /*@question_labels@*/]))) AS is_practitioner_question
FROM turns t
LEFT JOIN tag_lists l ON l.session_id = t.session_id AND l.utterance_idx = t.idx;

CREATE OR REPLACE VIEW utterance_facts AS SELECT * FROM utterance_facts_of(NULL);

CREATE OR REPLACE MACRO session_metrics_of(ids) AS TABLE
WITH sess AS (
    SELECT session_id, duration_s, has_times FROM sessions
    WHERE ids IS NULL OR list_contains(ids, session_id)
), roles AS (
    SELECT s.session_id, r.role, s.duration_s, s.has_times
    FROM sess s CROSS JOIN (VALUES ('practitioner'), ('client'), ('all')) r(role)
), uf AS (
    SELECT f.* FROM utterance_facts_of(ids) f SEMI JOIN sess s ON s.session_id = f.session_id
), facts AS (
    SELECT *, role AS metric_role FROM uf WHERE role IN ('practitioner', 'client')
    UNION ALL
    SELECT *, 'all' AS metric_role FROM uf
), per_role AS (
    SELECT
        session_id, metric_role AS role,
        count(*) AS utterance_count,
        sum(dur_s) AS talk_s,
        sum(n_words) AS word_count,
        sum(dur_s) FILTER (WHERE orientation = 'solution') AS solution_s,
        sum(dur_s) FILTER (WHERE orientation = 'problem') AS problem_s,
        count(*) FILTER (WHERE orientation = 'solution') AS solution_n,
        count(*) FILTER (WHERE orientation = 'problem') AS problem_n,
        count(*) FILTER (WHERE orientation = 'neutral') AS neutral_n,
        count(*) FILTER (WHERE is_question) AS question_n,
        count(*) FILTER (WHERE is_practitioner_question) AS practitioner_question_n,
        count(*) FILTER (WHERE is_practitioner_question AND list_contains(labels, 'problem_question')) AS problem_question_n
    FROM facts GROUP BY ALL
), totals AS (
    SELECT session_id, sum(dur_s) AS all_talk_s, sum(n_words) AS all_words
    FROM uf GROUP BY session_id
), label_counts AS (
    SELECT g.session_id, g.metric_role AS role,
        /*@label_counts@*/
    FROM (SELECT session_id, metric_role, unnest(labels) AS label FROM facts) g
    GROUP BY ALL
), turn_list AS (
    -- every turn, and how many practitioner turns there are up to and including it
    SELECT session_id, turn_no, has_p,
        sum(CASE WHEN has_p THEN 1 ELSE 0 END) OVER (PARTITION BY session_id ORDER BY turn_no) AS p_upto
    FROM (SELECT session_id, turn_no, bool_or(role = 'practitioner') AS has_p FROM uf GROUP BY ALL)
), practitioner_turns AS (
    SELECT session_id, turn_no, p_upto AS p_ord FROM turn_list WHERE has_p
), reports AS (
    -- each client exception report, with the ordinal of the last practitioner turn before it
    SELECT f.session_id, f.idx, f.turn_no,
        tl.p_upto - CASE WHEN tl.has_p THEN 1 ELSE 0 END AS p_before
    FROM uf f
    JOIN turn_list tl ON tl.session_id = f.session_id AND tl.turn_no = f.turn_no
    WHERE f.role = 'client' AND list_contains(f.labels, 'exception_report')
), followed AS (
    -- followed up when one of the next two practitioner turns compliments, asks for more, or asks a
    -- solution-oriented question
    SELECT r.session_id, r.idx,
        bool_or(
            list_has_any(f.labels, ['compliment', 'more_question'])
            OR (f.is_practitioner_question AND f.orientation = 'solution')
        ) FILTER (WHERE f.idx IS NOT NULL) AS is_followed
    FROM reports r
    CROSS JOIN (VALUES (1), (2)) k(step)
    LEFT JOIN practitioner_turns p ON p.session_id = r.session_id AND p.p_ord = r.p_before + k.step
    LEFT JOIN uf f
        ON f.session_id = r.session_id AND f.turn_no = p.turn_no AND f.role = 'practitioner' AND f.idx > r.idx
    GROUP BY ALL
), scale_subtypes AS (
    SELECT session_id, utterance_idx, any_value(subtype) AS subtype
    FROM tags
    WHERE label = 'scale_answer' AND (ids IS NULL OR list_contains(ids, session_id))
    GROUP BY ALL
), session_level AS (
    SELECT s.session_id, fr.exception_followup_rate, fs.first_solution_turn_s, sa.scale_answers
    FROM sess s
    LEFT JOIN (
        SELECT session_id, avg(CASE WHEN coalesce(is_followed, FALSE) THEN 1.0 ELSE 0.0 END)
            AS exception_followup_rate
        FROM followed GROUP BY session_id
    ) fr ON fr.session_id = s.session_id
    LEFT JOIN (
        SELECT session_id, min(start_s) AS first_solution_turn_s
        FROM uf WHERE is_practitioner_question AND orientation = 'solution' GROUP BY session_id
    ) fs ON fs.session_id = s.session_id
    LEFT JOIN (
        SELECT f.session_id,
            list({'idx': f.idx, 'value': f.scale_value, 'subtype': st.subtype} ORDER BY f.idx) AS scale_answers
        FROM uf f
        LEFT JOIN scale_subtypes st ON st.session_id = f.session_id AND st.utterance_idx = f.idx
        WHERE f.role = 'client' AND f.scale_value IS NOT NULL
        GROUP BY f.session_id
    ) sa ON sa.session_id = s.session_id
)
SELECT
    r.session_id,
    r.role,
    CASE WHEN r.has_times AND coalesce(p.solution_s, 0) + coalesce(p.problem_s, 0) > 0
         THEN coalesce(p.solution_s, 0) / (coalesce(p.solution_s, 0) + coalesce(p.problem_s, 0)) END
        AS solution_talk_ratio,
    CASE WHEN coalesce(p.solution_n, 0) + coalesce(p.problem_n, 0) > 0
         THEN p.solution_n / (p.solution_n + p.problem_n) END AS solution_talk_ratio_count,
    CASE WHEN r.has_times AND t.all_talk_s > 0 THEN coalesce(p.talk_s, 0) / t.all_talk_s
         WHEN NOT r.has_times AND t.all_words > 0 THEN coalesce(p.word_count, 0) / t.all_words END AS talk_share,
    coalesce(p.utterance_count, 0) AS utterance_count,
    CASE WHEN r.has_times THEN coalesce(p.talk_s, 0) END AS talk_s,
    coalesce(p.solution_n, 0) AS solution_count,
    coalesce(p.problem_n, 0) AS problem_count,
    coalesce(p.neutral_n, 0) AS neutral_count,
    CASE WHEN coalesce(p.utterance_count, 0) > 0 THEN p.question_n / p.utterance_count END AS question_share,
    CASE WHEN coalesce(p.practitioner_question_n, 0) > 0 THEN p.problem_question_n / p.practitioner_question_n END
        AS problem_question_share,
    sl.exception_followup_rate,
    sl.first_solution_turn_s,
    CASE WHEN r.role IN ('client', 'all') THEN coalesce(sl.scale_answers, []) END AS scale_answers,
    r.has_times,
    r.duration_s,
    /*@label_count_columns@*/,
    -- rate per 10 minutes of session; NULL when the session has no duration (imported text)
    /*@label_rate_columns@*/
FROM roles r
LEFT JOIN per_role p ON p.session_id = r.session_id AND p.role = r.role
LEFT JOIN totals t ON t.session_id = r.session_id
LEFT JOIN session_level sl ON sl.session_id = r.session_id
LEFT JOIN (
    SELECT session_id, role,
        /*@label_count_names@*/
    FROM label_counts
) lc ON lc.session_id = r.session_id AND lc.role = r.role;

-- Which version of each session the stored figures describe: every write of a session takes the next number,
-- so the dashboard's cache for one session is invalidated by a write of that session only.
CREATE SEQUENCE IF NOT EXISTS session_revision_seq;
CREATE TABLE IF NOT EXISTS session_revisions (
    session_id VARCHAR PRIMARY KEY,
    revision   BIGINT NOT NULL
);

-- Lookups by session: the session page, re-tagging and erasure read one session's rows.
CREATE INDEX IF NOT EXISTS tags_by_session ON tags (session_id);
CREATE INDEX IF NOT EXISTS words_by_session ON words (session_id);

-- ============================================================================ supervision notes (store/supervision.py)
-- A supervisor's note on one moment of the positive-supervision page (tagger/moments.py). `moment_key` is the
-- moment's stable key (`kind:first_idx`); kind, first utterance and start time are kept beside the note so a
-- note whose moment is no longer found (after a correction) is still shown, at its place, in the report.
-- `spiegel delete` erases a session's notes with its other rows.
CREATE TABLE IF NOT EXISTS supervision_notes (
    session_id    VARCHAR NOT NULL,
    moment_key    VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    utterance_idx INTEGER NOT NULL,
    start_s       DOUBLE,
    note          VARCHAR NOT NULL,
    updated_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (session_id, moment_key)
);

-- =========================================================================================================
-- Team mode (issue #8; queries in store/team.py): sessions shared with a supervisor, and the audit log.
-- Kept as its own block at the end of the schema. Erasing a session (store.erase_session) removes its shares;
-- the audit log keeps the session id of a deletion, never its text, client code or file name.
-- =========================================================================================================
CREATE TABLE IF NOT EXISTS session_shares (
    session_id VARCHAR NOT NULL,
    username   VARCHAR NOT NULL,            -- a login of the user file (role supervisor)
    shared_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (session_id, username)
);

CREATE SEQUENCE IF NOT EXISTS audit_seq;
CREATE TABLE IF NOT EXISTS audit_log (
    id         BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    logged_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    event      VARCHAR NOT NULL,            -- login, login_failed, login_locked, logout, share, unshare, export,
                                            -- report, delete, user_added, user_removed, and a team
                                            -- member's correction, note, upload (store/access.py)
    actor      VARCHAR,                     -- the team login (dashboard) or the computer account (commands)
    via        VARCHAR NOT NULL,            -- dashboard | cli
    session_id VARCHAR,
    detail     VARCHAR                      -- e.g. 'csv', 'pseudonymized', the user shared with; never text
);

-- =========================================================================================================
-- Listen and correct (issue 10). store/corrections.py owns these tables; the kept recordings are in a file of
-- their own beside the database (store/audio.py), not here.
--
-- A correction never overwrites what the machine made: the first correction of a session copies its
-- utterances, tags and speakers into original_* (once), and every change is a row of `corrections` with who
-- and when. The session's current rows (utterances, tags, speakers, and so its stored figures) are always
-- original + the corrections not undone, applied in order; undoing marks the row undone and rebuilds.
-- =========================================================================================================
CREATE SEQUENCE IF NOT EXISTS correction_seq;
CREATE TABLE IF NOT EXISTS corrections (
    correction_id BIGINT PRIMARY KEY DEFAULT nextval('correction_seq'),
    session_id    VARCHAR NOT NULL,
    utterance_idx INTEGER,                 -- NULL for a change of a whole speaker (role, merge)
    kind          VARCHAR NOT NULL CHECK (kind IN
                      ('text', 'speaker', 'role', 'merge', 'label_add', 'label_remove', 'orientation')),
    value         JSON NOT NULL,           -- the new value, e.g. {"text": ...} or {"label": ..., "value": 6}
    author        VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    undone_at     TIMESTAMP,               -- set by undo; the row itself stays (who changed what, when)
    undone_by     VARCHAR
);
CREATE TABLE IF NOT EXISTS original_utterances (
    session_id  VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    speaker     VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    orientation VARCHAR NOT NULL,
    is_question BOOLEAN NOT NULL,
    scale_value DOUBLE,
    PRIMARY KEY (session_id, idx)
);
-- the machine's tags: the columns of `tags` when it was made (rows are copied by column name)
CREATE TABLE IF NOT EXISTS original_tags AS
    SELECT session_id, utterance_idx, label, subtype, value, start_char, end_char, rule FROM tags LIMIT 0;
CREATE TABLE IF NOT EXISTS original_speakers (
    session_id  VARCHAR NOT NULL,
    speaker     VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    role_source VARCHAR NOT NULL,
    PRIMARY KEY (session_id, speaker)
);
-- When the session's current rows last changed by hand; NULL when it is as the machine made it (or every
-- correction was undone). The overview marks such sessions; exports and reports say so.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS corrected_at TIMESTAMP;
-- The "why" of each utterance's orientation: the names of the orientation model's features that pushed it
-- hardest, strongest first (tagger/orientation_model.py; shown in words by tagger/cue_names.py). NULL for
-- rows stored before the column existed (their why is unknown; [] once such a session is corrected), [] when
-- the tagger named none or the orientation was set by hand. The machine's copy beside the corrections keeps
-- them too, so undoing a correction brings the machine's why back.
ALTER TABLE utterances ADD COLUMN IF NOT EXISTS orientation_cues VARCHAR[];
ALTER TABLE original_utterances ADD COLUMN IF NOT EXISTS orientation_cues VARCHAR[];
-- The machine's times and words beside its utterances, so a cut inside an utterance (a correction that makes
-- two utterances of one) can be undone: NULL words in a copy made before these columns existed, filled from
-- the current rows while they still have the original's layout (store/corrections.py).
ALTER TABLE original_utterances ADD COLUMN IF NOT EXISTS start_s DOUBLE;
ALTER TABLE original_utterances ADD COLUMN IF NOT EXISTS end_s DOUBLE;
ALTER TABLE original_utterances ADD COLUMN IF NOT EXISTS words STRUCT(start_s DOUBLE, end_s DOUBLE, text VARCHAR, probability DOUBLE)[];
