-- Learners: a random id, the pseudonymous code printed on their first
-- receipt, and, for those who identify with a card, an HMAC of the card
-- number (never the number itself).
CREATE TABLE learning_learners (
	id         TEXT PRIMARY KEY,
	code       TEXT NOT NULL UNIQUE,
	card_hash  TEXT UNIQUE,
	created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE learning_enrolments (
	learner      TEXT NOT NULL REFERENCES learning_learners(id),
	course       TEXT NOT NULL,
	enrolled_ms  INTEGER NOT NULL,
	lessons      INTEGER NOT NULL,          -- lessons in the course when enrolled
	best_correct INTEGER NOT NULL DEFAULT -1, -- best quiz score, -1 before any attempt
	quiz_total   INTEGER NOT NULL DEFAULT 0,
	completed_ms INTEGER,                   -- NULL until the course is completed
	PRIMARY KEY (learner, course)
) STRICT;

CREATE TABLE learning_lessons (
	learner TEXT NOT NULL,
	course  TEXT NOT NULL,
	lesson  TEXT NOT NULL,
	done_ms INTEGER NOT NULL,
	PRIMARY KEY (learner, course, lesson),
	FOREIGN KEY (learner, course) REFERENCES learning_enrolments(learner, course)
) STRICT;

CREATE TABLE learning_certificates (
	code      TEXT PRIMARY KEY,
	learner   TEXT NOT NULL,
	course    TEXT NOT NULL,
	issued_ms INTEGER NOT NULL,
	seq       INTEGER NOT NULL
) STRICT;
