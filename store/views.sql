-- Read views. The four named in the README are a contract with outside tools (BI, notebooks):
-- keep their names and columns. The others serve the dashboard and the exports.

CREATE OR REPLACE VIEW current_submission_ids AS
SELECT submission_id
FROM submissions
QUALIFY row_number() OVER (PARTITION BY agency, start_year ORDER BY version DESC) = 1;

CREATE OR REPLACE VIEW submissions_current AS
SELECT s.agency, s.start_year, s.submitted_on, r.deadline,
       s.submitted_on > r.deadline AS is_late,
       s.has_plans, f.file_name AS source_file
FROM submissions s
JOIN current_submission_ids USING (submission_id)
JOIN source_files f USING (file_id)
LEFT JOIN rounds r USING (start_year);

CREATE OR REPLACE VIEW pilot_plans_current AS
SELECT s.agency, s.start_year, a.ministry, p.*,
       (p.covers_e1::INT + p.covers_e2::INT + p.covers_e3::INT
        + p.covers_e4::INT + p.covers_e5::INT + p.covers_e6::INT) AS elements_covered,
       -- «says nothing about evaluation» means this field is empty (documentation alone is no evaluation)
       coalesce(trim(p.evaluation), '') <> '' AS describes_evaluation
FROM pilots p
JOIN current_submission_ids USING (submission_id)
JOIN submissions s USING (submission_id)
LEFT JOIN agencies a ON a.name = s.agency;

CREATE OR REPLACE VIEW pilots_current AS
SELECT agency, start_year, pilot_name, status, trust_relation, start_date, end_date,
       budget_total_nok, within_budget_frame, needs_exemption, elements_covered
FROM pilot_plans_current;

CREATE OR REPLACE VIEW milestones_current AS
SELECT s.agency, s.start_year, m.pilot_name, m.name, m.kind, m.from_date, m.to_date, m.status
FROM milestones m
JOIN current_submission_ids USING (submission_id)
JOIN submissions s USING (submission_id);

CREATE OR REPLACE VIEW budget_lines_current AS
SELECT s.agency, s.start_year, b.pilot_name, b.year, b.amount_nok, b.category, b.financing
FROM budget_lines b
JOIN current_submission_ids USING (submission_id)
JOIN submissions s USING (submission_id);

-- Every version of every submission, newest first, with the file that made it.
CREATE OR REPLACE VIEW submission_history AS
SELECT s.submission_id, s.agency, s.start_year, s.version, s.submitted_on, r.deadline,
       s.submitted_on > r.deadline AS is_late, s.has_plans, s.replaced_tables,
       s.contact_person, s.email, s.assessment, s.union_involvement, s.imported_at,
       f.file_id, f.file_name, f.file_kind, f.size_bytes, f.sha256,
       s.submission_id IN (SELECT submission_id FROM current_submission_ids) AS is_current,
       (SELECT count(*) FROM pilots p WHERE p.submission_id = s.submission_id) AS pilot_count
FROM submissions s
JOIN source_files f USING (file_id)
LEFT JOIN rounds r USING (start_year);

-- Each round's sheets of rows and the version whose file they are shown from now: a workbook replaces every
-- sheet, a CSV its own alone, and a sheet a version does not hold is carried over from the version before.
CREATE OR REPLACE VIEW sheet_sources AS
SELECT agency, start_year, sheet, list_position(['Piloter', 'Milepæler', 'Budsjett'], sheet) AS sheet_order,
       arg_max(submission_id, version) AS submission_id, arg_max(file_name, version) AS file_name
FROM (SELECT s.agency, s.start_year, s.version, s.submission_id, f.file_name,
             unnest(string_split(s.replaced_tables, ', ')) AS sheet
      FROM submissions s JOIN source_files f USING (file_id))
WHERE sheet IN ('Piloter', 'Milepæler', 'Budsjett')
GROUP BY agency, start_year, sheet;

-- Who was asked to report for which round, and what came back: one row per round and agency,
-- including agencies that reported without being asked.
CREATE OR REPLACE VIEW reporting_status AS
WITH asked AS (SELECT start_year, agency,
                      -- a request the register can back with a letter (its date or reference), not only a row
                      bool_or(letter_date IS NOT NULL OR coalesce(trim(letter_ref), '') <> '') AS letter_registered
               FROM requests GROUP BY start_year, agency),
     sub AS (SELECT h.* FROM submission_history h WHERE h.is_current)
SELECT coalesce(q.start_year, sub.start_year) AS start_year,
       coalesce(q.agency, sub.agency) AS agency,
       a.ministry,
       q.agency IS NOT NULL AS was_asked,
       q.letter_registered,
       r.deadline,
       sub.submitted_on,
       sub.is_late,
       sub.has_plans,
       sub.version,
       sub.pilot_count,
       CASE WHEN sub.agency IS NULL THEN 'Ikke levert'
            WHEN q.agency IS NULL THEN 'Uten forespørsel'  -- no request, so no deadline to keep or miss
            WHEN sub.is_late THEN 'For sent'
            ELSE 'I tide' END AS reporting_state
FROM asked q
FULL OUTER JOIN sub ON sub.start_year = q.start_year AND sub.agency = q.agency
LEFT JOIN rounds r ON r.start_year = coalesce(q.start_year, sub.start_year)
LEFT JOIN agencies a ON a.name = coalesce(q.agency, sub.agency);
