-- The definition of session_metrics before the figures were stored (correlated subqueries over every
-- session): kept only as the oracle that tests/foundation/test_stored_metrics.py compares the stored figures to.
CREATE OR REPLACE VIEW reference_utterance_facts AS
WITH base AS (
    SELECT
        u.*,
        greatest(coalesce(u.end_s - u.start_s, 0), 0) AS dur_s,
        length(regexp_split_to_array(trim(u.text), '\s+')) AS n_words,
        lag(u.speaker) OVER (PARTITION BY u.session_id ORDER BY u.idx) AS prev_speaker
    FROM utterances u
), turns AS (
    SELECT *,
        sum(CASE WHEN prev_speaker IS NULL OR prev_speaker <> speaker THEN 1 ELSE 0 END)
            OVER (PARTITION BY session_id ORDER BY idx) AS turn_no
    FROM base
), labelled AS (
    SELECT t.*,
        coalesce(list(DISTINCT g.label) FILTER (WHERE g.label IS NOT NULL), []) AS labels
    FROM turns t LEFT JOIN tags g ON g.session_id = t.session_id AND g.utterance_idx = t.idx
    GROUP BY ALL
)
SELECT *,
    -- a practitioner question: said as a question, or carrying a question technique label
    (role = 'practitioner' AND (is_question OR list_has_any(labels, [
        /*@question_labels@*/]))) AS is_practitioner_question
FROM labelled;

CREATE OR REPLACE VIEW reference_session_metrics AS
WITH roles AS (
    SELECT s.session_id, r.role, s.duration_s, s.has_times
    FROM sessions s CROSS JOIN (VALUES ('practitioner'), ('client'), ('all')) r(role)
), facts AS (
    SELECT f.*, r.role AS metric_role
    FROM reference_utterance_facts f JOIN roles r ON r.session_id = f.session_id AND (r.role = 'all' OR r.role = f.role)
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
    FROM reference_utterance_facts GROUP BY session_id
), label_counts AS (
    SELECT g.session_id, r.role,
        /*@label_counts@*/
    FROM (SELECT DISTINCT session_id, utterance_idx, label FROM tags) g
    JOIN utterances u ON u.session_id = g.session_id AND u.idx = g.utterance_idx
    JOIN roles r ON r.session_id = g.session_id AND (r.role = 'all' OR r.role = u.role)
    GROUP BY ALL
), practitioner_turns AS (
    SELECT session_id, turn_no,
        row_number() OVER (PARTITION BY session_id ORDER BY turn_no) AS p_ord
    FROM (SELECT DISTINCT session_id, turn_no FROM reference_utterance_facts WHERE role = 'practitioner')
), reports AS (
    -- each client exception report, with the ordinal of the last practitioner turn before it
    SELECT f.session_id, f.idx, f.turn_no,
        coalesce((SELECT max(p.p_ord) FROM practitioner_turns p
                  WHERE p.session_id = f.session_id AND p.turn_no < f.turn_no), 0) AS p_before
    FROM reference_utterance_facts f
    WHERE f.role = 'client' AND list_contains(f.labels, 'exception_report')
), followed AS (
    SELECT r.session_id, r.idx,
        bool_or(
            list_has_any(f.labels, ['compliment', 'more_question'])
            OR (f.is_practitioner_question AND f.orientation = 'solution')
        ) FILTER (WHERE f.idx IS NOT NULL) AS is_followed
    FROM reports r
    LEFT JOIN practitioner_turns p
        ON p.session_id = r.session_id AND p.p_ord IN (r.p_before + 1, r.p_before + 2)
    LEFT JOIN utterance_facts f
        ON f.session_id = r.session_id AND f.turn_no = p.turn_no AND f.role = 'practitioner' AND f.idx > r.idx
    GROUP BY ALL
), session_level AS (
    SELECT s.session_id,
        (SELECT avg(CASE WHEN coalesce(x.is_followed, FALSE) THEN 1.0 ELSE 0.0 END)
         FROM followed x WHERE x.session_id = s.session_id) AS exception_followup_rate,
        (SELECT min(f.start_s) FROM reference_utterance_facts f
         WHERE f.session_id = s.session_id AND f.is_practitioner_question AND f.orientation = 'solution')
            AS first_solution_turn_s,
        (SELECT list({'idx': f.idx, 'value': f.scale_value, 'subtype': (
                    SELECT any_value(g.subtype) FROM tags g
                    WHERE g.session_id = f.session_id AND g.utterance_idx = f.idx AND g.label = 'scale_answer')}
                 ORDER BY f.idx)
         FROM reference_utterance_facts f
         WHERE f.session_id = s.session_id AND f.role = 'client' AND f.scale_value IS NOT NULL) AS scale_answers
    FROM sessions s
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
