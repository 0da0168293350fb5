-- Every change of status or artifact_status must point at the event row that
-- announces it, so a status written anywhere but applyTransition fails loudly.
CREATE TRIGGER `prompts_status_change_needs_event`
BEFORE UPDATE OF `status`, `artifact_status` ON `prompts`
WHEN (NEW.`status` IS NOT OLD.`status`
      OR NEW.`artifact_status` IS NOT OLD.`artifact_status`)
  AND NOT EXISTS (
    SELECT 1 FROM `prompt_events` e
    WHERE e.`id` = NEW.`last_event_id`
      AND e.`id` > OLD.`last_event_id`
      AND e.`prompt_id` = NEW.`id`
      AND e.`to_status` = NEW.`status`
      AND e.`to_artifact_status` IS NEW.`artifact_status`)
BEGIN
  SELECT RAISE(ABORT, 'prompt status changed without a transition event');
END;
--> statement-breakpoint
CREATE TRIGGER `prompts_insert_starts_unprocessed`
BEFORE INSERT ON `prompts`
WHEN NEW.`status` IS NOT 'unprocessed' OR NEW.`artifact_status` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a new prompt starts unprocessed');
END;
