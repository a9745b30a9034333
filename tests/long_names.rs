//! Long identifiers (issue 11, point 1): constraint, index, foreign-key and link-table names
//! that would pass a backend's limit (63 bytes on PostgreSQL, 64 on MySQL and MariaDB) are
//! shortened with a hash of the full name, the same way every time and on every backend,
//! by `create_tables` and by migrations alike.

use kata::migrate::{Hints, MAX_NAME_LEN, Migrator, Target, makemigrations, truncate_name};
use kata::prelude::*;

/// Thirty characters.
#[derive(Model, Debug, Clone, PartialEq)]
struct ConferenceAttendeeRegistration {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 50)]
    attendee_registration_reference_number: String,
    #[kata(unique, max_length = 50)]
    attendee_registration_reference_numbers: String,
    #[kata(many_to_many)]
    workshop_session_availability_days: ManyToMany<WorkshopSessionAvailabilityDay>,
}

/// Thirty characters too.
#[derive(Model, Debug, Clone, PartialEq)]
struct WorkshopSessionAvailabilityDay {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    label: String,
    #[kata(reverse_of = ConferenceAttendeeRegistration::workshop_session_availability_days)]
    conference_attendee_registrations: ManyToMany<ConferenceAttendeeRegistration>,
    #[kata(reverse_of = WorkshopSessionAvailabilityNote::workshop_session_availability_day)]
    notes: HasMany<WorkshopSessionAvailabilityNote>,
}

/// A foreign key and an index whose names are long too.
#[derive(Model, Debug, Clone, PartialEq)]
struct WorkshopSessionAvailabilityNote {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    workshop_session_availability_day: ForeignKey<WorkshopSessionAvailabilityDay>,
    #[kata(index, max_length = 50)]
    a_rather_long_indexed_column_name: String,
}

fn models() -> [&'static kata::ModelMeta; 3] {
    [
        ConferenceAttendeeRegistration::meta(),
        WorkshopSessionAvailabilityDay::meta(),
        WorkshopSessionAvailabilityNote::meta(),
    ]
}

fn through() -> &'static kata::ModelMeta {
    (ConferenceAttendeeRegistration::meta().through_tables[0])()
}

#[test]
fn generated_names_fit_every_backend_and_are_stable() {
    let link = through();
    let full = "conference_attendee_registration_workshop_session_availability_days";
    assert_eq!(link.table, truncate_name(full), "the derive and the runtime shorten alike");
    assert!(link.table.len() <= MAX_NAME_LEN && link.table.starts_with("conference_attendee_registration_"));
    let columns: Vec<&str> = link.columns.iter().map(|c| c.name).collect();
    assert_eq!(
        columns,
        ["id", "conference_attendee_registration_id", "workshop_session_availability_day_id"]
    );
    let unique = link.unique_name(&columns[1..]);
    assert_eq!(unique.len(), MAX_NAME_LEN);
    assert_eq!(unique, truncate_name(&format!("{}_{}_{}_key", link.table, columns[1], columns[2])));
    let reg = ConferenceAttendeeRegistration::meta();
    let (a, b) = (
        reg.unique_name(&["attendee_registration_reference_number"]),
        reg.unique_name(&["attendee_registration_reference_numbers"]),
    );
    assert_eq!(&a[..54], &b[..54]);
    assert_ne!(a, b, "two long names with one beginning stay apart (PostgreSQL would have cut both alike)");
    let note = WorkshopSessionAvailabilityNote::meta();
    for name in [
        note.foreign_key_name("workshop_session_availability_day_id"),
        note.index_name("a_rather_long_indexed_column_name"),
        link.foreign_key_name(columns[1]),
        link.primary_key_name(),
    ] {
        assert!(name.len() <= MAX_NAME_LEN, "{name}");
    }
}

async fn fill(
    db: &Db,
) -> kata::Result<(ConferenceAttendeeRegistration, Vec<WorkshopSessionAvailabilityDay>)> {
    let reg = ConferenceAttendeeRegistration::objects()
        .acreate(
            db,
            [
                ConferenceAttendeeRegistration::attendee_registration_reference_number.set("r1"),
                ConferenceAttendeeRegistration::attendee_registration_reference_numbers.set("r1s"),
            ],
        )
        .await?;
    let mut days = Vec::new();
    for label in ["monday", "tuesday"] {
        days.push(
            WorkshopSessionAvailabilityDay::objects()
                .acreate(db, [WorkshopSessionAvailabilityDay::label.set(label)])
                .await?,
        );
    }
    reg.workshop_session_availability_days.aadd(db, [&days[0], &days[1]]).await?;
    days[0]
        .notes
        .acreate(
            db,
            [WorkshopSessionAvailabilityNote::a_rather_long_indexed_column_name.set("bring a laptop")],
        )
        .await?;
    Ok((reg, days))
}

async fn check_links(db: &Db) -> kata::Result<()> {
    let reg = ConferenceAttendeeRegistration::objects()
        .prefetch_related(ConferenceAttendeeRegistration::workshop_session_availability_days)
        .aget(db, ConferenceAttendeeRegistration::attendee_registration_reference_number.eq("r1"))
        .await?;
    let mut labels: Vec<&str> = reg
        .workshop_session_availability_days
        .get()
        .unwrap_or_default()
        .iter()
        .map(|d| d.label.as_str())
        .collect();
    labels.sort();
    assert_eq!(labels, ["monday", "tuesday"]);
    let monday = WorkshopSessionAvailabilityDay::objects()
        .aget(db, WorkshopSessionAvailabilityDay::label.eq("monday"))
        .await?;
    assert_eq!(monday.conference_attendee_registrations.acount(db).await?, 1);
    assert_eq!(monday.notes.acount(db).await?, 1);
    Ok(())
}

#[kata::test]
async fn long_named_models_create_link_and_drop(db: Db) -> kata::Result<()> {
    db.create_tables(&models()).await?;
    let (reg, days) = fill(&db).await?;
    check_links(&db).await?;

    // The shortened constraints exist and are reported by the names kata gave them.
    let twice = ConferenceAttendeeRegistration::objects()
        .acreate(
            &db,
            [
                ConferenceAttendeeRegistration::attendee_registration_reference_number.set("r1"),
                ConferenceAttendeeRegistration::attendee_registration_reference_numbers.set("other"),
            ],
        )
        .await
        .unwrap_err();
    assert!(twice.is_integrity(kata::IntegrityKind::Unique), "{twice:?}");
    let expected =
        ConferenceAttendeeRegistration::meta().unique_name(&["attendee_registration_reference_number"]);
    assert!(
        matches!(&twice, kata::Error::Integrity { constraint, .. } if *constraint == expected),
        "{twice:?}"
    );
    let link = through();
    let duplicate_link = format!(
        "INSERT INTO {t} ({a}, {b}) VALUES (?, ?)",
        t = link.table,
        a = link.columns[1].name,
        b = link.columns[2].name
    );
    let again = db.raw_execute(&duplicate_link, (reg.id, days[0].id)).await.unwrap_err();
    assert!(again.is_integrity(kata::IntegrityKind::Unique), "{again:?}");
    let dangling = db.raw_execute(&duplicate_link, (reg.id, days[1].id + 100)).await.unwrap_err();
    assert!(dangling.is_integrity(kata::IntegrityKind::ForeignKey), "{dangling:?}");

    reg.workshop_session_availability_days.aremove(&db, &days[1]).await?;
    assert_eq!(reg.workshop_session_availability_days.acount(&db).await?, 1);
    db.drop_tables(&models()).await?;
    assert!(ConferenceAttendeeRegistration::objects().acount(&db).await.is_err(), "dropped");
    assert!(
        db.raw_execute(&format!("SELECT 1 FROM {}", link.table), ()).await.is_err(),
        "link table dropped"
    );
    // And again: the same names, so nothing clashes with what was there before.
    db.create_tables(&models()).await?;
    fill(&db).await?;
    check_links(&db).await
}

#[kata::test]
async fn long_named_models_migrate_forward_and_back(db: Db) -> kata::Result<()> {
    let draft =
        makemigrations(&models(), &[], &Hints::default(), None, false)?.expect("an initial migration");
    let migrations = [draft.migration()];
    let migrator = Migrator::new(&db, &migrations)?;
    migrator.migrate(&Target::Latest, false).await?;
    fill(&db).await?;
    check_links(&db).await?;
    assert!(makemigrations(&models(), &migrations, &Hints::default(), None, false)?.is_none());
    migrator.migrate(&Target::Zero, false).await?;
    assert!(ConferenceAttendeeRegistration::objects().acount(&db).await.is_err(), "unapplied");
    migrator.migrate(&Target::Latest, false).await?;
    fill(&db).await?;
    check_links(&db).await
}
