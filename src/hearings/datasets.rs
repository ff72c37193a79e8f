//! What mechanism 4 opens to society: every published question with its answer (a private
//! person who asked not to be named stays 匿名), and every commitment of a plan with how it
//! is delivered.

use crate::kernel::opendata::{Dataset, Field, FieldType, Publisher};

pub static PUBLISHER: Publisher =
    Publisher { name: "public-hearings", title: "hr-od-publisher", description: "hr-od-publisher-desc" };

const fn field(name: &'static str, kind: FieldType, title: &'static str, sql: &'static str) -> Field {
    Field { name, kind, title, personal: false, sql }
}

pub static HEARING_QUESTIONS: Dataset = Dataset {
    name: "hearing-questions",
    title: "hr-od-questions",
    notes: "hr-od-questions-notes",
    tags: &["hearings", "policy"],
    publisher: &PUBLISHER,
    fields: &[
        field("id", FieldType::Integer, "hr-od-id", "t.id"),
        field("hearing", FieldType::String, "hr-hearing", "(SELECT h.title FROM hearings h WHERE h.id = t.hearing_id)"),
        field(
            "plan",
            FieldType::String,
            "hr-plan",
            "(SELECT p.title FROM hearings h JOIN plans p ON p.id = h.plan_id WHERE h.id = t.hearing_id)",
        ),
        field("asker", FieldType::String, "hr-asker", "CASE WHEN t.anonymous = 1 THEN '匿名' ELSE t.asker_name END"),
        field("asker_kind", FieldType::String, "hr-asker-kind", "t.asker_kind"),
        field("question", FieldType::String, "hr-question", "t.question"),
        field(
            "answered_by",
            FieldType::String,
            "hr-answered-by",
            "(SELECT u.display_name FROM users u WHERE u.id = t.answered_by)",
        ),
        field("answer", FieldType::String, "hr-answer", "t.answer"),
        field("updated_at", FieldType::DateTime, "common-updated_at", "t.updated_at"),
    ],
    from: "hearing_questions t",
    public: "t.state = 'answered' AND EXISTS (SELECT 1 FROM hearings h WHERE h.id = t.hearing_id AND h.state = 'published')",
    withdrawn: "1 = 0",
};

pub static COMMITMENTS: Dataset = Dataset {
    name: "hearing-commitments",
    title: "hr-od-commitments",
    notes: "hr-od-commitments-notes",
    tags: &["hearings", "commitments"],
    publisher: &PUBLISHER,
    fields: &[
        field("id", FieldType::Integer, "hr-od-id", "t.id"),
        field("plan", FieldType::String, "hr-plan", "(SELECT p.title FROM plans p WHERE p.id = t.plan_id)"),
        field("commitment", FieldType::String, "hr-commitment", "t.content"),
        field(
            "department",
            FieldType::String,
            "hr-department",
            "(SELECT d.name FROM departments d WHERE d.id = t.department_id)",
        ),
        field("deadline", FieldType::Date, "hr-deadline", "t.deadline"),
        field("delivered_on", FieldType::Date, "hr-delivered-on", "t.delivered_on"),
        field("updated_at", FieldType::DateTime, "common-updated_at", "t.updated_at"),
    ],
    from: "hearing_commitments t",
    public: "EXISTS (SELECT 1 FROM hearing_questions q JOIN hearings h ON h.id = q.hearing_id \
             WHERE q.id = t.question_id AND h.state = 'published')",
    withdrawn: "1 = 0",
};
