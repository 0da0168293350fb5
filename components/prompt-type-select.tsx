import { promptTypes, type PromptType } from "@/lib/prompt-types";
import { typeLabel } from "./format";

type PromptTypeSelectProps = {
  id: string;
  name?: string;
  value: PromptType;
  onChange: (type: PromptType) => void;
  className: string;
};

/** A picker of a prompt's type, each by the name people see. */
export function PromptTypeSelect(props: PromptTypeSelectProps) {
  return (
    <select
      id={props.id}
      name={props.name}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value as PromptType)}
      className={props.className}
    >
      {promptTypes.map((t) => (
        <option key={t} value={t}>
          {typeLabel(t)}
        </option>
      ))}
    </select>
  );
}
