-- forwards
CREATE TABLE `blog_author` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `name` varchar(100) NOT NULL, `active` bool NOT NULL DEFAULT TRUE ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE INDEX `blog_author_name_idx` ON `blog_author` (`name`);
CREATE TABLE `blog_post` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `headline` varchar(200) NOT NULL, `views` bigint NOT NULL DEFAULT 0, `published` DATETIME(6), `author_id` bigint NOT NULL, UNIQUE KEY `blog_post_headline_author_id_key` (`headline`, `author_id`), CONSTRAINT `blog_post_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `blog_author` (`id`) ON DELETE CASCADE ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE TABLE `blog_tag` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `label` varchar(50) NOT NULL, UNIQUE KEY `blog_tag_label_key` (`label`) ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE TABLE `blog_post_tags` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `post_id` bigint NOT NULL, `tag_id` bigint NOT NULL, UNIQUE KEY `blog_post_tags_post_id_tag_id_key` (`post_id`, `tag_id`), CONSTRAINT `blog_post_tags_post_id_fkey` FOREIGN KEY (`post_id`) REFERENCES `blog_post` (`id`) ON DELETE CASCADE, CONSTRAINT `blog_post_tags_tag_id_fkey` FOREIGN KEY (`tag_id`) REFERENCES `blog_tag` (`id`) ON DELETE CASCADE ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
-- backwards
DROP TABLE `blog_post_tags`;
DROP TABLE `blog_tag`;
DROP TABLE `blog_post`;
DROP TABLE `blog_author`;
