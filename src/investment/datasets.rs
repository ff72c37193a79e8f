//! What mechanism 2 opens to society: the enterprises gathered (without their people's
//! names and phones), the events, the platforms, and the projects from signing on (those
//! still being negotiated are not public; a dropped one is withdrawn).

use crate::kernel::opendata::{Dataset, Field, FieldType, Publisher};

pub static PUBLISHER: Publisher =
    Publisher { name: "investment-promotion", title: "inv-od-publisher", description: "inv-od-publisher-desc" };

const fn field(name: &'static str, kind: FieldType, title: &'static str, sql: &'static str) -> Field {
    Field { name, kind, title, personal: false, sql }
}

const fn personal(name: &'static str, title: &'static str, sql: &'static str) -> Field {
    Field { name, kind: FieldType::String, title, personal: true, sql }
}

pub static ENTERPRISES: Dataset = Dataset {
    name: "enterprises",
    title: "inv-od-enterprises",
    notes: "inv-od-enterprises-notes",
    tags: &["enterprises", "investment"],
    publisher: &PUBLISHER,
    fields: &[
        field("id", FieldType::Integer, "inv-od-id", "t.id"),
        field("uscc", FieldType::String, "ent-uscc", "t.uscc"),
        field("name", FieldType::String, "common-name", "t.name"),
        field("industry", FieldType::String, "ent-industry", "t.industry"),
        field("size", FieldType::String, "ent-size", "t.size"),
        field("district", FieldType::String, "ent-district", "t.district"),
        field("registered_on", FieldType::Date, "ent-registered-on", "t.registered_on"),
        field("address", FieldType::String, "ent-address", "t.address"),
        personal("legal_representative", "ent-legal-representative", "t.legal_representative"),
        personal("contact_name", "ent-contact-name", "t.contact_name"),
        personal("contact_phone", "ent-contact-phone", "t.contact_phone"),
        field("updated_at", FieldType::DateTime, "common-updated_at", "t.updated_at"),
    ],
    from: "enterprises t",
    public: "t.merged_into IS NULL",
    withdrawn: "t.merged_into IS NOT NULL",
};

pub static PROJECTS: Dataset = Dataset {
    name: "projects",
    title: "inv-od-projects",
    notes: "inv-od-projects-notes",
    tags: &["investment", "projects"],
    publisher: &PUBLISHER,
    fields: &[
        field("id", FieldType::Integer, "inv-od-id", "t.id"),
        field("title", FieldType::String, "inv-project", "t.title"),
        field("enterprise_id", FieldType::Integer, "inv-od-enterprise-id", "t.enterprise_id"),
        field(
            "enterprise",
            FieldType::String,
            "inv-enterprise",
            "(SELECT e.name FROM enterprises e WHERE e.id = t.enterprise_id)",
        ),
        field("event", FieldType::String, "inv-event", "(SELECT ev.name FROM events ev WHERE ev.id = t.event_id)"),
        field(
            "platform",
            FieldType::String,
            "inv-platform",
            "(SELECT pl.name FROM platforms pl WHERE pl.id = t.platform_id)",
        ),
        field("sector", FieldType::String, "inv-sector", "t.sector"),
        field("district", FieldType::String, "ent-district", "t.district"),
        field("amount_yuan", FieldType::Yuan, "inv-amount-yuan", "t.amount_fen"),
        field("stage", FieldType::String, "inv-stage", "t.state"),
        field("signed_on", FieldType::Date, "inv-signed-on", "t.signed_on"),
        field("landed_on", FieldType::Date, "inv-landed-on", "t.landed_on"),
        field("producing_on", FieldType::Date, "inv-producing-on", "t.producing_on"),
        field(
            "department",
            FieldType::String,
            "inv-department",
            "(SELECT d.name FROM departments d WHERE d.id = t.department_id)",
        ),
        personal(
            "responsible",
            "inv-responsible",
            "(SELECT u.display_name FROM users u WHERE u.id = t.responsible_id)",
        ),
        field("updated_at", FieldType::DateTime, "common-updated_at", "t.updated_at"),
    ],
    from: "projects t",
    public: "t.state IN ('signed', 'landed', 'producing')",
    withdrawn: "t.state IN ('negotiating', 'dropped')",
};

pub static EVENTS: Dataset = Dataset {
    name: "events",
    title: "inv-od-events",
    notes: "inv-od-events-notes",
    tags: &["events", "investment"],
    publisher: &PUBLISHER,
    fields: &[
        field("id", FieldType::Integer, "inv-od-id", "t.id"),
        field("name", FieldType::String, "common-name", "t.name"),
        field("held_on", FieldType::Date, "inv-held-on", "t.held_on"),
        field("place", FieldType::String, "inv-place", "t.place"),
        field("organisers", FieldType::String, "inv-organisers", "t.organisers"),
        field("summary", FieldType::String, "inv-summary", "t.summary"),
        field("updated_at", FieldType::DateTime, "common-updated_at", "t.updated_at"),
    ],
    from: "events t",
    public: "1 = 1",
    withdrawn: "1 = 0",
};

pub static PLATFORMS: Dataset = Dataset {
    name: "platforms",
    title: "inv-od-platforms",
    notes: "inv-od-platforms-notes",
    tags: &["investment", "platforms"],
    publisher: &PUBLISHER,
    fields: &[
        field("id", FieldType::Integer, "inv-od-id", "t.id"),
        field("name", FieldType::String, "common-name", "t.name"),
        field("kind", FieldType::String, "inv-platform-kind", "t.kind"),
        field("aggregates", FieldType::String, "inv-aggregates", "t.aggregates"),
        field("sectors", FieldType::String, "inv-sectors", "t.sectors"),
        field("updated_at", FieldType::DateTime, "common-updated_at", "t.updated_at"),
    ],
    from: "platforms t",
    public: "1 = 1",
    withdrawn: "1 = 0",
};
