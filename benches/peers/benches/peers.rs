//! diesel_bench's workloads with kata, hand-written sqlx and SeaORM 2, interleaved in one
//! criterion run on one shared sqlx pool. See ../../README.md.

#[path = "../../workloads/mod.rs"]
mod workloads;

use sea_orm::{
    ColumnTrait as _, DatabaseConnection, DbBackend, EntityTrait as _, QueryFilter as _,
    Set, SqlxMySqlConnector, SqlxPostgresConnector, SqlxSqliteConnector,
};
use tokio::runtime::Runtime;

use workloads::runner::{Job, Peer, Workload, canonical, job, sorted_rows, timed};
use workloads::{Comment, Post, RawPool, Target, User, UserTree};

/// SeaORM's entities for the same tables kata created.
mod user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::post::Entity")]
        Post,
    }

    impl Related<super::post::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod post {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "posts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub title: String,
        pub body: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::user::Entity",
            from = "Column::UserId",
            to = "super::user::Column::Id"
        )]
        User,
        #[sea_orm(has_many = "super::comment::Entity")]
        Comment,
    }

    impl Related<super::user::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl Related<super::comment::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Comment.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod comment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "comments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub post_id: i64,
        pub text: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::post::Entity",
            from = "Column::PostId",
            to = "super::post::Column::Id"
        )]
        Post,
    }

    impl Related<super::post::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// SeaORM's side of each workload, written as its documentation shows.
mod with_sea_orm {
    use super::*;

    /// Every user.
    pub async fn trivial_query(db: &DatabaseConnection) -> Result<Vec<user::Model>, sea_orm::DbErr> {
        user::Entity::find().all(db).await
    }

    /// `users LEFT JOIN posts WHERE hair_color = 'black'`, one query.
    pub async fn medium_complex_query(
        db: &DatabaseConnection,
    ) -> Result<Vec<(user::Model, Option<post::Model>)>, sea_orm::DbErr> {
        user::Entity::find()
            .find_also_related(post::Entity)
            .filter(user::Column::HairColor.eq("black"))
            .all(db)
            .await
    }

    /// Unsaved users, as SeaORM takes them.
    pub fn new_users(n: usize) -> Vec<user::ActiveModel> {
        (0..n)
            .map(|i| user::ActiveModel {
                name: Set(format!("User {i}")),
                hair_color: Set(Some("hair_color".into())),
                ..Default::default()
            })
            .collect()
    }

    /// diesel_bench's SeaORM insert: `insert_many(..).exec(..)`, one multi-row INSERT
    /// that reports the last key only.
    pub async fn insert(db: &DatabaseConnection, users: Vec<user::ActiveModel>) -> Result<(), sea_orm::DbErr> {
        user::Entity::insert_many(users).exec(db).await.map(drop)
    }

    /// kata's second insert case: the rows come back as models (`RETURNING`). SeaORM
    /// cannot return rows on the MySQL family (sea-query's MySQL backend has no
    /// RETURNING), so there it inserts and reports only the last key: less work than
    /// kata's.
    pub async fn insert_returning(
        db: &DatabaseConnection,
        users: Vec<user::ActiveModel>,
    ) -> Result<Vec<user::Model>, sea_orm::DbErr> {
        if db.get_database_backend() == DbBackend::MySql {
            user::Entity::insert_many(users).exec(db).await?;
            return Ok(Vec::new());
        }
        user::Entity::insert_many(users).exec_with_returning(db).await
    }

    /// diesel_bench's SeaORM loading: users with their posts by `find_with_related` (one
    /// JOIN), then the posts' comments by `is_in`, looked up in a `HashMap` and cloned
    /// into place, as its `sea_orm_benches` writes it.
    pub async fn loading_associations(
        db: &DatabaseConnection,
    ) -> Result<UserTree<user::Model, post::Model, comment::Model>, sea_orm::DbErr> {
        let res: Vec<(user::Model, Vec<post::Model>)> =
            user::Entity::find().find_with_related(post::Entity).all(db).await?;
        let post_ids: Vec<i64> = res.iter().flat_map(|(_, posts)| posts.iter().map(|p| p.id)).collect();
        let comments = comment::Entity::find().filter(comment::Column::PostId.is_in(post_ids)).all(db).await?;
        let mut lookup: std::collections::HashMap<i64, Vec<comment::Model>> = std::collections::HashMap::new();
        for comment in comments {
            lookup.entry(comment.post_id).or_default().push(comment);
        }
        Ok(res
            .into_iter()
            .map(|(user, posts)| {
                let posts = posts
                    .into_iter()
                    .map(|post| {
                        let comments = lookup.get(&post.id).cloned().unwrap_or_default();
                        (post, comments)
                    })
                    .collect();
                (user, posts)
            })
            .collect())
    }
}

fn from_user(u: user::Model) -> User {
    User { id: u.id, name: u.name, hair_color: u.hair_color }
}

fn from_post(p: post::Model) -> Post {
    Post { id: p.id, user_id: p.user_id, title: p.title, body: p.body }
}

fn from_comment(c: comment::Model) -> Comment {
    Comment { id: c.id, post_id: c.post_id, text: c.text }
}

/// SeaORM on the pool kata runs on.
struct SeaOrm {
    db: DatabaseConnection,
}

impl Peer for SeaOrm {
    const NAME: &'static str = "sea_orm";

    fn attach(_: &Runtime, target: &Target) -> Self {
        let db = match &target.raw {
            RawPool::Sqlite(pool) => SqlxSqliteConnector::from_sqlx_sqlite_pool(pool.clone()),
            RawPool::Postgres(pool) => SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone()),
            RawPool::MySql(pool) => SqlxMySqlConnector::from_sqlx_mysql_pool(pool.clone()),
        };
        SeaOrm { db }
    }

    fn check(&self, rt: &Runtime, target: &Target, workload: Workload) {
        let (db, sea) = (&target.db, &self.db);
        rt.block_on(async {
            match workload {
                Workload::TrivialQuery(_) => {
                    let k = workloads::with_kata::trivial_query(db).await.expect("kata");
                    let s = with_sea_orm::trivial_query(sea).await.expect("sea_orm");
                    assert_eq!(
                        k,
                        s.into_iter().map(from_user).collect::<Vec<_>>(),
                        "kata and SeaORM disagree"
                    );
                }
                Workload::MediumComplexQuery(_) => {
                    let k = workloads::with_kata::medium_complex_query(db).await.expect("kata");
                    let k = workloads::with_kata::as_pairs(k);
                    let s = with_sea_orm::medium_complex_query(sea).await.expect("sea_orm");
                    let s = s.into_iter().map(|(u, p)| (from_user(u), p.map(from_post))).collect();
                    assert_eq!(sorted_rows(k), sorted_rows(s), "kata and SeaORM disagree");
                }
                Workload::Insert(n) => {
                    with_sea_orm::insert(sea, with_sea_orm::new_users(n)).await.expect("sea_orm");
                }
                Workload::InsertReturning(n) => {
                    let s =
                        with_sea_orm::insert_returning(sea, with_sea_orm::new_users(n)).await.expect("sea_orm");
                    if sea.get_database_backend() != DbBackend::MySql {
                        assert_eq!(s.len(), n);
                        assert!(s.iter().all(|u| u.id != 0), "keys are filled in");
                    }
                }
                Workload::LoadingAssociations => {
                    let k = workloads::with_kata::loading_associations(db).await.expect("kata");
                    let s = with_sea_orm::loading_associations(sea).await.expect("sea_orm");
                    let s: UserTree<User, Post, Comment> = s
                        .into_iter()
                        .map(|(u, posts)| {
                            let posts = posts
                                .into_iter()
                                .map(|(p, cs)| (from_post(p), cs.into_iter().map(from_comment).collect()))
                                .collect();
                            (from_user(u), posts)
                        })
                        .collect();
                    assert_eq!(canonical(k), canonical(s), "kata and SeaORM disagree");
                }
            }
        });
    }

    fn job<'a>(&'a self, _: &'a Target, workload: Workload) -> Job<'a> {
        let db = &self.db;
        match workload {
            Workload::TrivialQuery(_) => job(move || timed(with_sea_orm::trivial_query(db))),
            Workload::MediumComplexQuery(_) => job(move || timed(with_sea_orm::medium_complex_query(db))),
            Workload::Insert(n) => job(move || timed(with_sea_orm::insert(db, with_sea_orm::new_users(n)))),
            Workload::InsertReturning(n) => {
                job(move || timed(with_sea_orm::insert_returning(db, with_sea_orm::new_users(n))))
            }
            Workload::LoadingAssociations => job(move || timed(with_sea_orm::loading_associations(db))),
        }
    }
}

fn main() {
    // Three implementations per benchmark: a shorter window keeps a full run near 15 minutes.
    let mut c = workloads::criterion(std::time::Duration::from_millis(1500));
    workloads::run::<SeaOrm>(&mut c);
    c.final_summary();
}
