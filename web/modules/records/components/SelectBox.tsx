import { useEffect, useRef } from 'react';
import classes from './RecordTable.module.css';

interface Props {
  label: string;
  checked: boolean;
  indeterminate?: boolean;
  onChange: (checked: boolean) => void;
}

/** A native checkbox with a 40 px tap target, for ticking rows. */
export function SelectBox({ label, checked, indeterminate = false, onChange }: Props) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <span className={classes.select}>
      <input
        ref={ref}
        type="checkbox"
        aria-label={label}
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <span aria-hidden="true" />
    </span>
  );
}
