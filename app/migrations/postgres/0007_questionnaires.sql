-- Training questionnaires: one answer sheet per registrant and stage (pre-test, post-test,
-- 3-month follow-up), with its score; a sheet sent again replaces the earlier one.

CREATE TABLE training_answers (
    person_id BIGINT NOT NULL REFERENCES training_people(id),
    stage TEXT NOT NULL CHECK (stage IN ('pre','post','follow_up')),
    answers TEXT NOT NULL,
    score BIGINT NOT NULL,
    total BIGINT NOT NULL,
    satisfaction BIGINT CHECK (satisfaction BETWEEN 1 AND 5),
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, stage)
);
