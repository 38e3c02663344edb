-- Training questionnaires: one answer sheet per registrant and stage (pre-test, post-test,
-- 3-month follow-up), with its score; a sheet sent again replaces the earlier one.

CREATE TABLE training_answers (
    person_id INTEGER NOT NULL REFERENCES training_people(id),
    stage TEXT NOT NULL CHECK (stage IN ('pre','post','follow_up')),
    answers TEXT NOT NULL,
    score INTEGER NOT NULL,
    total INTEGER NOT NULL,
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (person_id, stage)
);
