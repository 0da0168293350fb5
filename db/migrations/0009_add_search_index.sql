CREATE INDEX `prompts_status_id` ON `prompts` (`status`,`id`);--> statement-breakpoint
-- Full-text search over each prompt's text and its current writing (the one
-- prompts.output_reference points at), one row per prompt with rowid = id.
-- The table keeps its own copy of the text: an external-content table would
-- need the old text of a join to delete a row, and the copy is small.
-- A JSON spec is indexed by its string values only, so that its keys
-- ("title", "prompt", "lyrics") do not match every image and song.
-- The triggers run inside whichever transaction writes the rows, so the index
-- never disagrees with a committed prompt or writing.
CREATE VIRTUAL TABLE `prompt_search` USING fts5(
  `text`,
  `writing`,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
--> statement-breakpoint
INSERT INTO `prompt_search` (`rowid`, `text`, `writing`)
SELECT p.`id`, p.`text`, coalesce((
  SELECT CASE WHEN w.`format` = 'json' AND json_valid(w.`content`)
    THEN (SELECT group_concat(j.`value`, ' ') FROM json_tree(w.`content`) j
          WHERE j.`type` = 'text')
    ELSE w.`content` END
  FROM `writings` w WHERE w.`id` = p.`output_reference`), '')
FROM `prompts` p;
--> statement-breakpoint
CREATE TRIGGER `prompt_search_prompt_insert`
AFTER INSERT ON `prompts`
BEGIN
  INSERT INTO `prompt_search` (`rowid`, `text`, `writing`)
  VALUES (NEW.`id`, NEW.`text`, coalesce((
    SELECT CASE WHEN w.`format` = 'json' AND json_valid(w.`content`)
      THEN (SELECT group_concat(j.`value`, ' ') FROM json_tree(w.`content`) j
            WHERE j.`type` = 'text')
      ELSE w.`content` END
    FROM `writings` w WHERE w.`id` = NEW.`output_reference`), ''));
END;
--> statement-breakpoint
CREATE TRIGGER `prompt_search_prompt_update`
AFTER UPDATE OF `text`, `output_reference` ON `prompts`
WHEN NEW.`text` IS NOT OLD.`text`
  OR NEW.`output_reference` IS NOT OLD.`output_reference`
BEGIN
  UPDATE `prompt_search` SET `text` = NEW.`text`, `writing` = coalesce((
    SELECT CASE WHEN w.`format` = 'json' AND json_valid(w.`content`)
      THEN (SELECT group_concat(j.`value`, ' ') FROM json_tree(w.`content`) j
            WHERE j.`type` = 'text')
      ELSE w.`content` END
    FROM `writings` w WHERE w.`id` = NEW.`output_reference`), '')
  WHERE `rowid` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `prompt_search_prompt_delete`
AFTER DELETE ON `prompts`
BEGIN
  DELETE FROM `prompt_search` WHERE `rowid` = OLD.`id`;
END;
--> statement-breakpoint
-- A writing is its prompt's current one only once output_reference points at
-- it; recordWriting inserts the writing first, so the prompt trigger above
-- indexes it, and these cover a writing changed or removed later.
CREATE TRIGGER `prompt_search_writing_insert`
AFTER INSERT ON `writings`
WHEN EXISTS (SELECT 1 FROM `prompts`
             WHERE `id` = NEW.`prompt_id` AND `output_reference` = NEW.`id`)
BEGIN
  UPDATE `prompt_search` SET `writing` = coalesce(
    CASE WHEN NEW.`format` = 'json' AND json_valid(NEW.`content`)
      THEN (SELECT group_concat(j.`value`, ' ') FROM json_tree(NEW.`content`) j
            WHERE j.`type` = 'text')
      ELSE NEW.`content` END, '')
  WHERE `rowid` = NEW.`prompt_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `prompt_search_writing_update`
AFTER UPDATE OF `format`, `content` ON `writings`
WHEN EXISTS (SELECT 1 FROM `prompts`
             WHERE `id` = NEW.`prompt_id` AND `output_reference` = NEW.`id`)
BEGIN
  UPDATE `prompt_search` SET `writing` = coalesce(
    CASE WHEN NEW.`format` = 'json' AND json_valid(NEW.`content`)
      THEN (SELECT group_concat(j.`value`, ' ') FROM json_tree(NEW.`content`) j
            WHERE j.`type` = 'text')
      ELSE NEW.`content` END, '')
  WHERE `rowid` = NEW.`prompt_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `prompt_search_writing_delete`
AFTER DELETE ON `writings`
WHEN EXISTS (SELECT 1 FROM `prompts`
             WHERE `id` = OLD.`prompt_id` AND `output_reference` = OLD.`id`)
BEGIN
  UPDATE `prompt_search` SET `writing` = '' WHERE `rowid` = OLD.`prompt_id`;
END;
