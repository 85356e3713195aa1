/** One figure on an admin page (users, tokens, organizations): a small label over a large number. */
export function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="card min-w-0 p-4!" data-testid={testId}>
      <p className="text-xs font-medium break-keep text-slate-600">{label}</p>
      <p className="mt-1 text-2xl font-extrabold break-all tabular-nums">{value}</p>
    </div>
  );
}
