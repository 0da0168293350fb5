CREATE TABLE `render_job_stops` (
	`server` text NOT NULL,
	`job_id` text NOT NULL,
	`prompt_id` integer NOT NULL,
	`reason` text NOT NULL,
	`requested_at` integer NOT NULL,
	PRIMARY KEY(`server`, `job_id`)
);
