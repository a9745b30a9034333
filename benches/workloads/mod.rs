//! diesel_bench's workloads on its users/posts/comments schema, written twice: with kata,
//! and with hand-written sqlx doing the same work (same SQL semantics, same result types,
//! the same pool). `benches/diesel_workloads.rs` times them side by side;
//! `benches/peers` includes this file to add SeaORM.
//!
//! Data, as diesel_bench: users named `User {i}`; for the medium query half of them have
//! `hair_color = 'black'` and the posts table is empty (so every row is `(user, None)`);
//! for loading associations 100 users, 10 posts each, 10 comments per post.

#![allow(dead_code)] // each bench binary uses a different part

pub mod runner;
pub mod setup;

use std::collections::HashMap;

use futures_util::TryStreamExt as _;
use kata::prelude::*;
use kata::{Backend, ModelMeta};
use sqlx::{AssertSqlSafe, Row as _};

pub use runner::{criterion, run};
pub use setup::{RawPool, Target};

/// Trivial query and medium query sizes (diesel_bench's).
pub const QUERY_SIZES: &[usize] = &[1, 10, 100, 1_000, 10_000];
/// Multi-row insert sizes (diesel_bench's).
pub const INSERT_SIZES: &[usize] = &[1, 10, 25, 50, 100];
/// Loading associations: users, posts per user, comments per post.
pub const ASSOCIATIONS: (usize, usize, usize) = (100, 10, 10);

/// A user. kata's model, and what the hand-written sqlx decodes into too.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "users")]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub hair_color: Option<String>,
}

/// A post by a user (a plain key column: kata's relations are not merged yet).
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "posts")]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(index)]
    pub user_id: i64,
    pub title: String,
    pub body: Option<String>,
}

/// A comment on a post.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "comments")]
pub struct Comment {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(index)]
    pub post_id: i64,
    pub text: String,
}

/// The same three tables seen through kata's relations, for `prefetch_related`: a user's
/// posts and a post's comments are `HasMany` (not columns), and the key columns
/// `user_id` / `post_id` are `ForeignKey`s. The tables stay the ones the plain models
/// above created, so every implementation reads the same rows.
pub mod related {
    use kata::prelude::*;

    /// A user and, once prefetched, their posts.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[kata(table = "users")]
    pub struct User {
        #[kata(primary_key, auto)]
        pub id: i64,
        pub name: String,
        pub hair_color: Option<String>,
        #[kata(reverse_of = Post::user)]
        pub posts: HasMany<Post>,
    }

    /// A post and, once prefetched, its comments.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[kata(table = "posts")]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(foreign_key, on_delete = "cascade")]
        pub user: ForeignKey<User>,
        pub title: String,
        pub body: Option<String>,
        #[kata(reverse_of = Comment::post)]
        pub comments: HasMany<Comment>,
    }

    /// A comment on a post.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[kata(table = "comments")]
    pub struct Comment {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(foreign_key, on_delete = "cascade")]
        pub post: ForeignKey<Post>,
        pub text: String,
    }
}

/// What loading associations returns.
pub type UserTree<U, P, C> = Vec<UserTreeNode<U, P, C>>;

/// One user with its posts, each with its comments.
pub type UserTreeNode<U, P, C> = (U, Vec<(P, Vec<C>)>);

/// The tables, as kata's DDL makes them for every implementation.
pub fn tables() -> [&'static ModelMeta; 3] {
    [User::meta(), Post::meta(), Comment::meta()]
}

/// Creates the three tables.
pub async fn create_tables(db: &Db) -> kata::Result<()> {
    db.create_tables(&tables()).await
}

// ---------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------

/// `n` unsaved users named as diesel_bench names them.
pub fn new_users(n: usize, hair_color: impl Fn(usize) -> Option<&'static str>) -> Vec<User> {
    (0..n)
        .map(|i| User { id: 0, name: format!("User {i}"), hair_color: hair_color(i).map(Into::into) })
        .collect()
}

/// Empties the three tables. On the servers with `TRUNCATE` (diesel_bench's cleanup), which
/// gives the space back at once: rows deleted by an earlier case would otherwise linger as
/// dead tuples (PostgreSQL) or unpurged records (InnoDB) that every later scan wades
/// through — after the insert case, a `SELECT` of 100 users took 100 ms. SQLite's `DELETE`
/// without `WHERE` already drops the pages.
pub async fn clear(target: &Target) -> kata::Result<()> {
    let statements: &[&str] = match target.backend {
        Backend::Postgres => &["TRUNCATE TABLE comments, posts, users"],
        Backend::MySql => &["TRUNCATE TABLE comments", "TRUNCATE TABLE posts", "TRUNCATE TABLE users"],
        _ => &["DELETE FROM comments", "DELETE FROM posts", "DELETE FROM users"],
    };
    for sql in statements {
        target.db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Trivial query data: `n` users.
pub async fn seed_trivial(target: &Target, n: usize) -> kata::Result<()> {
    clear(target).await?;
    User::objects().abulk_create(&target.db, new_users(n, |_| None)).await?;
    Ok(())
}

/// Medium query data: `n` users, every other one black-haired; no posts (as diesel_bench).
pub async fn seed_medium(target: &Target, n: usize) -> kata::Result<()> {
    clear(target).await?;
    let users = new_users(n, |i| Some(if i % 2 == 0 { "black" } else { "brown" }));
    User::objects().abulk_create(&target.db, users).await?;
    Ok(())
}

/// Loading associations data: users x posts x comments.
pub async fn seed_associations(target: &Target) -> kata::Result<()> {
    let (n_users, n_posts, n_comments) = ASSOCIATIONS;
    clear(target).await?;
    let users = new_users(n_users, |i| Some(if i % 2 == 0 { "black" } else { "brown" }));
    let users = User::objects().abulk_create(&target.db, users).await?;
    let users =
        if users.iter().any(|u| u.id == 0) { User::objects().alist(&target.db).await? } else { users };
    let posts: Vec<Post> = users
        .iter()
        .flat_map(|u| {
            (0..n_posts).map(move |i| Post {
                id: 0,
                user_id: u.id,
                title: format!("Post {i} by user {}", u.id),
                body: None,
            })
        })
        .collect();
    Post::objects().abulk_create(&target.db, posts).await?;
    let posts = Post::objects().alist(&target.db).await?;
    let comments: Vec<Comment> = posts
        .iter()
        .flat_map(|p| {
            (0..n_comments).map(move |i| Comment {
                id: 0,
                post_id: p.id,
                text: format!("Comment {i} on post {}", p.id),
            })
        })
        .collect();
    Comment::objects().abulk_create(&target.db, comments).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Result shaping shared by every implementation
// ---------------------------------------------------------------------------------------

/// Nests comments under their posts and posts under their users the way diesel_bench's
/// sqlx code does: a `HashMap` of posts by key, one of users by key, the users in the map's
/// order (the checks compare sorted trees).
#[allow(clippy::too_many_arguments)] // the three lists and the four key getters
pub fn group<U, P, C>(
    users: Vec<U>,
    posts: Vec<P>,
    comments: Vec<C>,
    user_id: impl Fn(&U) -> i64,
    post_id: impl Fn(&P) -> i64,
    post_user: impl Fn(&P) -> i64,
    comment_post: impl Fn(&C) -> i64,
) -> UserTree<U, P, C> {
    let mut posts: HashMap<i64, (P, Vec<C>)> =
        posts.into_iter().map(|p| (post_id(&p), (p, Vec::new()))).collect();
    let mut users: HashMap<i64, UserTreeNode<U, P, C>> =
        users.into_iter().map(|u| (user_id(&u), (u, Vec::new()))).collect();
    for c in comments {
        if let Some(post) = posts.get_mut(&comment_post(&c)) {
            post.1.push(c);
        }
    }
    for (_, post) in posts {
        if let Some(user) = users.get_mut(&post_user(&post.0)) {
            user.1.push(post);
        }
    }
    users.into_values().collect()
}

// ---------------------------------------------------------------------------------------
// kata
// ---------------------------------------------------------------------------------------

/// kata's side of each workload.
pub mod with_kata {
    use super::*;

    /// Every user.
    pub async fn trivial_query(db: &Db) -> kata::Result<Vec<User>> {
        User::objects().alist(db).await
    }

    /// `users LEFT JOIN posts WHERE hair_color = 'black'`, one query, with `also_related`
    /// over the relation-aware models (the same tables).
    pub async fn medium_complex_query(db: &Db) -> kata::Result<Vec<(related::User, Option<related::Post>)>> {
        related::User::objects()
            .filter(related::User::hair_color.eq("black"))
            .also_related(related::User::posts)
            .alist(db)
            .await
    }

    /// `medium_complex_query`'s rows as the plain tuples the other implementations return
    /// (for checking only: not timed).
    pub fn as_pairs(rows: Vec<(related::User, Option<related::Post>)>) -> Vec<(User, Option<Post>)> {
        rows.into_iter()
            .map(|(u, p)| {
                let post = p.map(|p| Post { id: p.id, user_id: p.user.id(), title: p.title, body: p.body });
                (User { id: u.id, name: u.name, hair_color: u.hair_color }, post)
            })
            .collect()
    }

    /// diesel_bench's insert: one multi-row INSERT, nothing read back.
    pub async fn insert(db: &Db, users: Vec<User>) -> kata::Result<u64> {
        User::objects().abulk_insert(db, users).await
    }

    /// kata's own second insert case: one multi-row insert; the models come back with
    /// their keys.
    pub async fn insert_returning(db: &Db, users: Vec<User>) -> kata::Result<Vec<User>> {
        User::objects().abulk_create(db, users).await
    }

    /// kata's eager loading: users, their posts and the posts' comments with
    /// `prefetch_related`, three queries, nested in the models (`user.posts.get()`).
    pub async fn prefetch_related(db: &Db) -> kata::Result<Vec<related::User>> {
        related::User::objects()
            .prefetch(
                Prefetch::new(related::User::posts)
                    .queryset(related::Post::objects().prefetch_related(related::Post::comments)),
            )
            .alist(db)
            .await
    }

    /// `prefetch_related`'s models as the tuples the other implementations return (for
    /// checking only: not timed).
    pub fn as_tree(users: Vec<related::User>) -> UserTree<User, Post, Comment> {
        users
            .into_iter()
            .map(|u| {
                let posts = u
                    .posts
                    .get()
                    .unwrap_or_default()
                    .iter()
                    .map(|p| {
                        let comments = p
                            .comments
                            .get()
                            .unwrap_or_default()
                            .iter()
                            .map(|c| Comment { id: c.id, post_id: c.post.id(), text: c.text.clone() })
                            .collect();
                        let post = Post {
                            id: p.id,
                            user_id: p.user.id(),
                            title: p.title.clone(),
                            body: p.body.clone(),
                        };
                        (post, comments)
                    })
                    .collect();
                (User { id: u.id, name: u.name, hair_color: u.hair_color }, posts)
            })
            .collect()
    }

    /// Three kata queries and grouping by hand (the same grouping code as the sqlx
    /// version), returning the same tuples as sqlx.
    pub async fn loading_associations(db: &Db) -> kata::Result<UserTree<User, Post, Comment>> {
        let users = User::objects().alist(db).await?;
        let posts = Post::objects().filter(Post::user_id.is_in(users.iter().map(|u| u.id))).alist(db).await?;
        let comments =
            Comment::objects().filter(Comment::post_id.is_in(posts.iter().map(|p| p.id))).alist(db).await?;
        Ok(group(users, posts, comments, |u| u.id, |p| p.id, |p| p.user_id, |c| c.post_id))
    }
}

// ---------------------------------------------------------------------------------------
// Hand-written sqlx
// ---------------------------------------------------------------------------------------

/// Rows decoded by column index, as a careful sqlx user writes `FromRow` by hand.
macro_rules! from_row {
    ($row:ty) => {
        impl<'r> sqlx::FromRow<'r, $row> for User {
            fn from_row(row: &'r $row) -> sqlx::Result<Self> {
                Ok(User { id: row.try_get(0)?, name: row.try_get(1)?, hair_color: row.try_get(2)? })
            }
        }
        impl<'r> sqlx::FromRow<'r, $row> for Post {
            fn from_row(row: &'r $row) -> sqlx::Result<Self> {
                Ok(Post {
                    id: row.try_get(0)?,
                    user_id: row.try_get(1)?,
                    title: row.try_get(2)?,
                    body: row.try_get(3)?,
                })
            }
        }
        impl<'r> sqlx::FromRow<'r, $row> for Comment {
            fn from_row(row: &'r $row) -> sqlx::Result<Self> {
                Ok(Comment { id: row.try_get(0)?, post_id: row.try_get(1)?, text: row.try_get(2)? })
            }
        }
    };
}
from_row!(sqlx::sqlite::SqliteRow);
from_row!(sqlx::postgres::PgRow);
from_row!(sqlx::mysql::MySqlRow);

/// Runs `$body` with `$pool` bound to the backend's own sqlx pool type.
macro_rules! with_pool {
    ($raw:expr, |$pool:ident| $body:expr) => {
        match $raw {
            RawPool::Sqlite($pool) => $body,
            RawPool::Postgres($pool) => $body,
            RawPool::MySql($pool) => $body,
        }
    };
}

/// `?, ?, ?` (or `$1, $2, $3`) for `n` parameters starting after `offset`.
fn placeholders(postgres: bool, offset: usize, n: usize, sql: &mut String) {
    use std::fmt::Write as _;
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        if postgres {
            let _ = write!(sql, "${}", offset + i + 1);
        } else {
            sql.push('?');
        }
    }
}

/// The hand-written sqlx side of each workload. Like kata, every statement acquires a
/// pooled connection and runs on it.
pub mod with_sqlx {
    use super::*;

    const USERS: &str = "SELECT id, name, hair_color FROM users";

    /// Every user.
    pub async fn trivial_query(raw: &RawPool) -> sqlx::Result<Vec<User>> {
        with_pool!(raw, |pool| {
            let mut conn = pool.acquire().await?;
            sqlx::query_as(USERS).fetch_all(&mut *conn).await
        })
    }

    fn user_with_post<R: sqlx::Row>(row: &R) -> sqlx::Result<(User, Option<Post>)>
    where
        usize: sqlx::ColumnIndex<R>,
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let user = User { id: row.try_get(0)?, name: row.try_get(1)?, hair_color: row.try_get(2)? };
        let post = match row.try_get::<Option<i64>, _>(3)? {
            None => None,
            Some(id) => {
                Some(Post { id, user_id: row.try_get(4)?, title: row.try_get(5)?, body: row.try_get(6)? })
            }
        };
        Ok((user, post))
    }

    /// `users LEFT JOIN posts WHERE hair_color = ?`, one query.
    pub async fn medium_complex_query(raw: &RawPool) -> sqlx::Result<Vec<(User, Option<Post>)>> {
        const SQL: &str = "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
             FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id WHERE u.hair_color = ?";
        const PG_SQL: &str = "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
             FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id WHERE u.hair_color = $1";
        let sql = if raw.is_postgres() { PG_SQL } else { SQL };
        with_pool!(raw, |pool| {
            let mut conn = pool.acquire().await?;
            let mut rows = sqlx::query(sql).bind("black").fetch(&mut *conn);
            let mut out = Vec::new();
            while let Some(row) = rows.try_next().await? {
                out.push(user_with_post(&row)?);
            }
            Ok(out)
        })
    }

    /// diesel_bench's sqlx insert, as its `sqlx_benches.rs` writes it: on SQLite one
    /// single-row INSERT per user inside a transaction; elsewhere one multi-row INSERT.
    /// Nothing is read back.
    pub async fn insert(raw: &RawPool, users: Vec<User>) -> sqlx::Result<u64> {
        let RawPool::Sqlite(pool) = raw else {
            return insert_one_statement(raw, users).await;
        };
        let mut tx = pool.begin().await?;
        let mut written = 0;
        for u in &users {
            let done = sqlx::query("INSERT INTO users (name, hair_color) VALUES (?, ?)")
                .bind(&u.name)
                .bind(&u.hair_color)
                .execute(&mut *tx)
                .await?;
            written += done.rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// One multi-row INSERT, nothing read back: diesel_bench's sqlx insert on PostgreSQL
    /// and MySQL, and on SQLite the stronger baseline for kata's `abulk_insert` (which
    /// sends the same single statement).
    pub async fn insert_one_statement(raw: &RawPool, users: Vec<User>) -> sqlx::Result<u64> {
        let mut sql = String::from("INSERT INTO users (name, hair_color) VALUES ");
        for i in 0..users.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            placeholders(raw.is_postgres(), 2 * i, 2, &mut sql);
            sql.push(')');
        }
        with_pool!(raw, |pool| {
            let mut conn = pool.acquire().await?;
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for u in &users {
                query = query.bind(&u.name).bind(&u.hair_color);
            }
            Ok(query.execute(&mut *conn).await?.rows_affected())
        })
    }

    /// One multi-row insert with `RETURNING id` where the backend has it; the models come
    /// back with their keys (the same contract as kata's `abulk_create`).
    pub async fn insert_returning(
        raw: &RawPool,
        returning: bool,
        mut users: Vec<User>,
    ) -> sqlx::Result<Vec<User>> {
        // One row on MySQL/MariaDB: the key comes back with the statement's OK packet
        // (LAST_INSERT_ID), no result set needed; kata does the same.
        if let (RawPool::MySql(pool), [user]) = (raw, users.as_mut_slice()) {
            let mut conn = pool.acquire().await?;
            let done = sqlx::query("INSERT INTO users (name, hair_color) VALUES (?, ?)")
                .bind(&user.name)
                .bind(&user.hair_color)
                .execute(&mut *conn)
                .await?;
            user.id = i64::try_from(done.last_insert_id()).map_err(|e| sqlx::Error::Decode(e.into()))?;
            return Ok(users);
        }
        let postgres = raw.is_postgres();
        let mut sql = String::from("INSERT INTO users (name, hair_color) VALUES ");
        for i in 0..users.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            placeholders(postgres, 2 * i, 2, &mut sql);
            sql.push(')');
        }
        if returning {
            sql.push_str(" RETURNING id");
        }
        with_pool!(raw, |pool| {
            let mut conn = pool.acquire().await?;
            if returning {
                let mut query = sqlx::query_scalar(AssertSqlSafe(sql));
                for u in &users {
                    query = query.bind(&u.name).bind(&u.hair_color);
                }
                let ids: Vec<i64> = query.fetch_all(&mut *conn).await?;
                for (u, id) in users.iter_mut().zip(ids) {
                    u.id = id;
                }
            } else {
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for u in &users {
                    query = query.bind(&u.name).bind(&u.hair_color);
                }
                query.execute(&mut *conn).await?;
            }
        });
        Ok(users)
    }

    /// `SELECT ... WHERE column IN (...)` into `T` with one parameter per key on every
    /// backend (`$1, $2, ..` on PostgreSQL), as diesel_bench's sqlx code writes it.
    async fn fetch_in<T>(raw: &RawPool, select: &str, column: &str, keys: &[i64]) -> sqlx::Result<Vec<T>>
    where
        T: Send + Unpin,
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
        T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
        T: for<'r> sqlx::FromRow<'r, sqlx::mysql::MySqlRow>,
    {
        let mut sql = format!("{select} WHERE {column} IN (");
        placeholders(raw.is_postgres(), 0, keys.len(), &mut sql);
        sql.push(')');
        with_pool!(raw, |pool| {
            let mut conn = pool.acquire().await?;
            let mut query = sqlx::query_as(AssertSqlSafe(sql));
            for key in keys {
                query = query.bind(key);
            }
            query.fetch_all(&mut *conn).await
        })
    }

    /// Three queries (users, their posts, those posts' comments) and diesel_bench's grouping.
    pub async fn loading_associations(raw: &RawPool) -> sqlx::Result<UserTree<User, Post, Comment>> {
        let users = trivial_query(raw).await?;
        let user_ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let posts: Vec<Post> =
            fetch_in(raw, "SELECT id, user_id, title, body FROM posts", "user_id", &user_ids).await?;
        let post_ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
        let comments: Vec<Comment> =
            fetch_in(raw, "SELECT id, post_id, text FROM comments", "post_id", &post_ids).await?;
        Ok(group(users, posts, comments, |u| u.id, |p| p.id, |p| p.user_id, |c| c.post_id))
    }
}
