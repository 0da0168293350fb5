-- What GET /api/stats shows, kept up to date by triggers inside whichever
-- transaction changes a prompt or adds an event (the app's functions, a batch,
-- a raw-SQL import alike), so reading it is a few key lookups however many
-- prompts there are. Each table is a few pages: a change rewrites one or two.
--
-- stats_counts: prompts per status, per artifact status and per type (rows
-- that reach 0 stay, at 0), and the number of successful runs per stage
-- ('stage_runs'), which places each run in the stage_runs ring below.
CREATE TABLE `stats_counts` (
  `dimension` text NOT NULL,
  `value` text NOT NULL,
  `count` integer NOT NULL,
  PRIMARY KEY (`dimension`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
SELECT 'status', `status`, count(*) FROM `prompts` GROUP BY `status`;
--> statement-breakpoint
INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
SELECT 'artifact_status', `artifact_status`, count(*) FROM `prompts`
WHERE `artifact_status` IS NOT NULL GROUP BY `artifact_status`;
--> statement-breakpoint
INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
SELECT 'type', `type`, count(*) FROM `prompts` GROUP BY `type`;
--> statement-breakpoint
CREATE TRIGGER `stats_counts_prompt_insert`
AFTER INSERT ON `prompts`
BEGIN
  INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
  VALUES ('status', NEW.`status`, 1)
  ON CONFLICT (`dimension`, `value`) DO UPDATE SET `count` = `count` + 1;
  INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
  SELECT 'artifact_status', NEW.`artifact_status`, 1
  WHERE NEW.`artifact_status` IS NOT NULL
  ON CONFLICT (`dimension`, `value`) DO UPDATE SET `count` = `count` + 1;
  INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
  VALUES ('type', NEW.`type`, 1)
  ON CONFLICT (`dimension`, `value`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `stats_counts_prompt_status`
AFTER UPDATE OF `status` ON `prompts`
WHEN NEW.`status` IS NOT OLD.`status`
BEGIN
  UPDATE `stats_counts` SET `count` = `count` - 1
  WHERE `dimension` = 'status' AND `value` = OLD.`status`;
  INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
  VALUES ('status', NEW.`status`, 1)
  ON CONFLICT (`dimension`, `value`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `stats_counts_prompt_artifact_status`
AFTER UPDATE OF `artifact_status` ON `prompts`
WHEN NEW.`artifact_status` IS NOT OLD.`artifact_status`
BEGIN
  UPDATE `stats_counts` SET `count` = `count` - 1
  WHERE `dimension` = 'artifact_status' AND `value` = OLD.`artifact_status`;
  INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
  SELECT 'artifact_status', NEW.`artifact_status`, 1
  WHERE NEW.`artifact_status` IS NOT NULL
  ON CONFLICT (`dimension`, `value`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `stats_counts_prompt_type`
AFTER UPDATE OF `type` ON `prompts`
WHEN NEW.`type` IS NOT OLD.`type`
BEGIN
  UPDATE `stats_counts` SET `count` = `count` - 1
  WHERE `dimension` = 'type' AND `value` = OLD.`type`;
  INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
  VALUES ('type', NEW.`type`, 1)
  ON CONFLICT (`dimension`, `value`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `stats_counts_prompt_delete`
AFTER DELETE ON `prompts`
BEGIN
  UPDATE `stats_counts` SET `count` = `count` - 1
  WHERE (`dimension` = 'status' AND `value` = OLD.`status`)
     OR (`dimension` = 'artifact_status' AND `value` = OLD.`artifact_status`)
     OR (`dimension` = 'type' AND `value` = OLD.`type`);
END;
--> statement-breakpoint
-- finished_minutes: prompts finished (an event to completed with the artifact
-- status null or ready: text written, media made ready) per minute of the
-- event's created_at, kept for a day: "the last hour" sums at most 61 rows.
CREATE TABLE `finished_minutes` (
  `minute` integer PRIMARY KEY NOT NULL,
  `count` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `finished_minutes` (`minute`, `count`)
SELECT CAST(`created_at` AS integer) / 60000, count(*) FROM `prompt_events`
WHERE `to_status` = 'completed'
  AND (`to_artifact_status` IS NULL OR `to_artifact_status` = 'ready')
  AND `created_at` >= (unixepoch() - 86400) * 1000
GROUP BY 1;
--> statement-breakpoint
CREATE TRIGGER `finished_minutes_event_insert`
AFTER INSERT ON `prompt_events`
WHEN NEW.`to_status` = 'completed'
  AND (NEW.`to_artifact_status` IS NULL OR NEW.`to_artifact_status` = 'ready')
BEGIN
  INSERT INTO `finished_minutes` (`minute`, `count`)
  VALUES (CAST(NEW.`created_at` AS integer) / 60000, 1)
  ON CONFLICT (`minute`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `finished_minutes_event_delete`
AFTER DELETE ON `prompt_events`
WHEN OLD.`to_status` = 'completed'
  AND (OLD.`to_artifact_status` IS NULL OR OLD.`to_artifact_status` = 'ready')
BEGIN
  UPDATE `finished_minutes` SET `count` = `count` - 1
  WHERE `minute` = CAST(OLD.`created_at` AS integer) / 60000;
END;
--> statement-breakpoint
-- A new minute's row (an upsert that only adds to a row does not fire this)
-- drops the rows more than a day older, once a minute at most.
CREATE TRIGGER `finished_minutes_prune`
AFTER INSERT ON `finished_minutes`
BEGIN
  DELETE FROM `finished_minutes` WHERE `minute` < NEW.`minute` - 1440;
END;
--> statement-breakpoint
-- stage_runs: a ring of each stage's latest 500 successful runs (db/stats.ts
-- stageSampleSize), the duration from the claim (the event just before the
-- end, as nothing else happens to a prompt while it is processing) to the
-- event that completed the stage: for write, processing/- to completed; for
-- render, processing/processing to completed/ready. Run n of a stage
-- (stats_counts 'stage_runs') takes slot n % 500, over run n - 500.
CREATE TABLE `stage_runs` (
  `stage` text NOT NULL,
  `slot` integer NOT NULL,
  `event_id` integer NOT NULL,
  `duration_ms` integer,
  PRIMARY KEY (`stage`, `slot`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `stage_runs` (`stage`, `slot`, `event_id`, `duration_ms`)
SELECT 'write', (row_number() OVER (ORDER BY `id`)) % 500, `id`, `duration_ms`
FROM (
  SELECT e.`id`, e.`created_at` - (
    SELECT s.`created_at` FROM `prompt_events` s
    WHERE s.`prompt_id` = e.`prompt_id` AND s.`id` < e.`id`
    ORDER BY s.`id` DESC LIMIT 1
  ) AS `duration_ms`
  FROM `prompt_events` e
  WHERE e.`from_status` = 'processing' AND e.`to_status` = 'completed'
    AND e.`from_artifact_status` IS NULL
  ORDER BY e.`id` DESC LIMIT 500
);
--> statement-breakpoint
INSERT INTO `stage_runs` (`stage`, `slot`, `event_id`, `duration_ms`)
SELECT 'render', (row_number() OVER (ORDER BY `id`)) % 500, `id`, `duration_ms`
FROM (
  SELECT e.`id`, e.`created_at` - (
    SELECT s.`created_at` FROM `prompt_events` s
    WHERE s.`prompt_id` = e.`prompt_id` AND s.`id` < e.`id`
    ORDER BY s.`id` DESC LIMIT 1
  ) AS `duration_ms`
  FROM `prompt_events` e
  WHERE e.`from_status` = 'processing' AND e.`to_status` = 'completed'
    AND e.`from_artifact_status` = 'processing'
    AND e.`to_artifact_status` = 'ready'
  ORDER BY e.`id` DESC LIMIT 500
);
--> statement-breakpoint
INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
SELECT 'stage_runs', `stage`, count(*) FROM `stage_runs` GROUP BY `stage`;
--> statement-breakpoint
CREATE TRIGGER `stage_runs_event_insert`
AFTER INSERT ON `prompt_events`
WHEN NEW.`from_status` = 'processing' AND NEW.`to_status` = 'completed'
  AND (NEW.`from_artifact_status` IS NULL
       OR (NEW.`from_artifact_status` = 'processing'
           AND NEW.`to_artifact_status` = 'ready'))
BEGIN
  INSERT INTO `stats_counts` (`dimension`, `value`, `count`)
  VALUES ('stage_runs',
          iif(NEW.`from_artifact_status` IS NULL, 'write', 'render'), 1)
  ON CONFLICT (`dimension`, `value`) DO UPDATE SET `count` = `count` + 1;
  INSERT INTO `stage_runs` (`stage`, `slot`, `event_id`, `duration_ms`)
  SELECT c.`value`, c.`count` % 500, NEW.`id`, NEW.`created_at` - (
    SELECT s.`created_at` FROM `prompt_events` s
    WHERE s.`prompt_id` = NEW.`prompt_id` AND s.`id` < NEW.`id`
    ORDER BY s.`id` DESC LIMIT 1)
  FROM `stats_counts` c
  WHERE c.`dimension` = 'stage_runs'
    AND c.`value` = iif(NEW.`from_artifact_status` IS NULL, 'write', 'render')
  ON CONFLICT (`stage`, `slot`) DO UPDATE
  SET `event_id` = excluded.`event_id`, `duration_ms` = excluded.`duration_ms`;
END;
