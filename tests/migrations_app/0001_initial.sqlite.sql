-- forwards
CREATE TABLE "blog_author" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(100) NOT NULL, "active" boolean NOT NULL DEFAULT TRUE );
CREATE INDEX "blog_author_name_idx" ON "blog_author" ("name");
CREATE TABLE "blog_post" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "headline" varchar(200) NOT NULL, "views" integer NOT NULL DEFAULT 0, "published" timestamp_with_timezone_text, "author_id" integer NOT NULL, CONSTRAINT "blog_post_headline_author_id_key" UNIQUE ("headline", "author_id"), FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE );
CREATE TABLE "blog_tag" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "label" varchar(50) NOT NULL, CONSTRAINT "blog_tag_label_key" UNIQUE ("label") );
CREATE TABLE "blog_post_tags" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "post_id" integer NOT NULL, "tag_id" integer NOT NULL, CONSTRAINT "blog_post_tags_post_id_tag_id_key" UNIQUE ("post_id", "tag_id"), FOREIGN KEY ("post_id") REFERENCES "blog_post" ("id") ON DELETE CASCADE, FOREIGN KEY ("tag_id") REFERENCES "blog_tag" ("id") ON DELETE CASCADE );
-- backwards
DROP TABLE "blog_post_tags";
DROP TABLE "blog_tag";
DROP TABLE "blog_post";
DROP TABLE "blog_author";
