CREATE TABLE `artifacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`prompt_id` integer NOT NULL,
	`writing_id` integer NOT NULL,
	`kind` text NOT NULL,
	`mime_type` text NOT NULL,
	`file_name` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`width` integer,
	`height` integer,
	`duration_ms` integer,
	`backend` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`prompt_id`) REFERENCES `prompts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`writing_id`) REFERENCES `writings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `artifacts_prompt` ON `artifacts` (`prompt_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `artifacts_file_name` ON `artifacts` (`file_name`);--> statement-breakpoint
CREATE TABLE `prompt_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`prompt_id` integer NOT NULL,
	`from_status` text,
	`from_artifact_status` text,
	`to_status` text NOT NULL,
	`to_artifact_status` text,
	`reason` text NOT NULL,
	`worker_id` text,
	`detail` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`prompt_id`) REFERENCES `prompts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `prompt_events_prompt` ON `prompt_events` (`prompt_id`,`id`);--> statement-breakpoint
CREATE TABLE `prompts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`text` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'unprocessed' NOT NULL,
	`artifact_status` text,
	`output_reference` integer,
	`last_error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`seed` integer NOT NULL,
	`progress` integer,
	`lease_owner` text,
	`lease_token` text,
	`lease_expires_at` integer,
	`run_after` integer,
	`last_event_id` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `prompts_stage1_queue` ON `prompts` (`status`,`priority`,`id`);--> statement-breakpoint
CREATE INDEX `prompts_stage2_queue` ON `prompts` (`artifact_status`,`priority`,`id`);--> statement-breakpoint
CREATE INDEX `prompts_type_id` ON `prompts` (`type`,`id`);--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`version` text NOT NULL,
	`db_path` text NOT NULL,
	`started_at` integer NOT NULL,
	`last_heartbeat_at` integer NOT NULL,
	`stopped_at` integer,
	`current_prompt_id` integer
);
--> statement-breakpoint
CREATE TABLE `writings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`prompt_id` integer NOT NULL,
	`format` text NOT NULL,
	`content` text NOT NULL,
	`backend` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`prompt_id`) REFERENCES `prompts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `writings_prompt` ON `writings` (`prompt_id`);