import type { ReactNode } from 'react';

export interface Column {
  label: ReactNode;
  /** Figures are right-aligned, under their header. */
  numeric?: boolean;
  /** A column of actions: its header is for screen readers only. */
  hidden?: boolean;
}

/** The header row of the app's tables (orders, purchases, history): one look and one markup. */
export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead className="border-b border-slate-300 text-xs text-slate-700">
      <tr>
        {columns.map((column, index) => (
          <th key={index} scope="col" className={column.numeric ? 'px-2 py-2 text-right' : 'px-2 py-2'}>
            {column.hidden ? <span className="sr-only">{column.label}</span> : column.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}
