'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { memberUsageText, parseLimitInput, type MemberView, type OrganizationView } from '@/lib/organizations';
import { queryKeys } from '@/lib/queries';

/**
 * A member's use of the pool against their monthly limit, and the limit's editor where the API
 * says the caller may set it (`limitEditable`: owners anyone's, admins not an owner's): tokens a
 * month, empty for no limit; the API's refusal is shown under it.
 */
export function MemberLimitForm({ organization, member }: { organization: OrganizationView; member: MemberView }) {
  const { t, nf } = useI18n();
  const client = useQueryClient();
  const id = useId();
  const stored = member.monthlyLimitTokens === null ? '' : String(member.monthlyLimitTokens);
  const [text, setText] = useState(stored);
  const [invalid, setInvalid] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => setText(stored), [stored]);
  const save = useMutation({
    mutationFn: (monthlyLimitTokens: number | null) =>
      api<OrganizationView>(`/api/organizations/${organization.id}/members/${member.userId}/limit`, { method: 'PUT', body: { monthlyLimitTokens } }),
    onSuccess: (updated) => {
      client.setQueryData(queryKeys.organization(organization.id), updated);
      // The caller's own limit may be the one changed: their usage card reads it.
      void client.invalidateQueries({ queryKey: queryKeys.organizationUsage(organization.id) });
      setSaved(true);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const parsed = parseLimitInput(text);
    setInvalid(!parsed.valid);
    save.reset();
    if (parsed.valid && !save.isPending) save.mutate(parsed.monthlyLimitTokens);
  };
  const error = invalid ? t('orgLimitInvalid') : save.isError ? errorText(save.error, t) : null;
  return (
    <div className="min-w-0" data-testid="member-limit">
      <p className="text-sm tabular-nums" data-testid="member-usage">
        {memberUsageText(member.usage, 'cell', t, nf)}
      </p>
      {/* An organization's admin sees an owner's use but may not set their limit: the API says whose they may. */}
      {member.limitEditable && (
        <form onSubmit={submit} className="mt-1 flex flex-wrap items-center gap-2" noValidate>
          <label htmlFor={`${id}-limit`} className="sr-only">
            {t('orgLimitLabelOf', { email: member.email })}
          </label>
          <input
            id={`${id}-limit`}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            className="input w-36 py-1"
            placeholder={t('orgLimitPlaceholder')}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setSaved(false);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            data-testid="member-limit-input"
          />
          <button type="submit" className="btn btn-secondary px-3 py-1" disabled={save.isPending} aria-label={t('orgLimitSaveOf', { email: member.email })} data-testid="member-limit-save">
            {save.isPending ? t('orgLimitSaving') : t('orgLimitSave')}
          </button>
        </form>
      )}
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-xs text-red-800" data-testid="member-limit-error">
          {error}
        </p>
      )}
      <p role="status" className={saved ? 'mt-1 text-xs font-medium text-green-800' : 'sr-only'} data-testid="member-limit-saved">
        {saved ? t('orgLimitSaved', { email: member.email }) : ''}
      </p>
    </div>
  );
}
