'use client';

import { useId } from 'react';
import { useI18n } from '@/lib/i18n';
import { useTurnInFlight, useWorkspace, workspaceOrganizationId } from '@/lib/workspace';

const PERSONAL_VALUE = '';

/**
 * The workspace switcher in the header: one's own account or an organization one belongs to.
 * Shown only to people in at least one organization; everyone else always chats with their own.
 * It waits while an answer is being written: switching would cut the answer off.
 */
export function WorkspaceSwitch() {
  const { t } = useI18n();
  const id = useId();
  const { workspace, organizations, choose } = useWorkspace();
  const busy = useTurnInFlight();
  if (!workspace || organizations.length === 0) return null;
  return (
    <div className="flex min-w-0 items-center gap-1" data-testid="workspace-switch">
      <label htmlFor={id} className="sr-only">
        {t('workspaceLabel')}
      </label>
      <select
        id={id}
        className="max-w-36 min-w-0 truncate rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm font-medium text-slate-800 sm:max-w-48"
        value={workspaceOrganizationId(workspace) ?? PERSONAL_VALUE}
        onChange={(event) => choose(event.target.value || null)}
        disabled={busy}
        title={t('workspaceLabel')}
        data-testid="workspace-select"
      >
        <option value={PERSONAL_VALUE}>{t('workspacePersonal')}</option>
        {organizations.map((organization) => (
          <option key={organization.id} value={organization.id}>
            {organization.name}
          </option>
        ))}
      </select>
    </div>
  );
}
