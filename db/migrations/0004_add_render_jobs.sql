CREATE TABLE `render_servers` (
	`url` text PRIMARY KEY NOT NULL,
	`healthy` integer NOT NULL,
	`last_error` text,
	`version` text,
	`checked_at` integer NOT NULL,
	`changed_at` integer NOT NULL,
	`checked_by` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `artifacts` ADD `source_name` text;--> statement-breakpoint
ALTER TABLE `prompts` ADD `render_job_id` text;--> statement-breakpoint
ALTER TABLE `prompts` ADD `render_server` text;