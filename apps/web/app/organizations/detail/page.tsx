'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { MemberLimitForm } from '@/components/MemberLimitForm';
import { OrganizationNameForm } from '@/components/OrganizationNameForm';
import { MemberUsageChart, OrganizationLedger } from '@/components/OrganizationReports';
import { Panel } from '@/components/Panel';
import { TableHead } from '@/components/TableHead';
import { OrganizationPurchase } from '@/components/OrganizationPurchase';
import { UsageCard } from '@/components/UsageCard';
import { api, ApiError } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import {
  INVITATION_HOURS,
  invitationUrl,
  managesMembers,
  memberActions,
  roleKey,
  sortMembers,
  type CreatedInvitationView,
  type InvitableRole,
  type InvitationView,
  type MemberView,
  type OrganizationRole,
  type OrganizationView,
} from '@/lib/organizations';
import { queryKeys, useOrganizationUsage } from '@/lib/queries';
import { QueryFailed } from '@/components/QueryFailed';

const INVITE_ORDER: InvitableRole[] = ['MEMBER', 'ADMIN'];

function Notice({ text, testId }: { text: string | null; testId: string }) {
  return (
    <p role="status" className={text ? 'mb-3 rounded bg-green-50 p-2 text-sm font-medium text-green-900' : 'sr-only'} data-testid={testId}>
      {text}
    </p>
  );
}

/** A member's role: a select and its button when the caller may change it, else the role in words. */
function RoleControl({ organization, member, self }: { organization: OrganizationView; member: MemberView; self: boolean }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const id = useId();
  const actions = memberActions(member, self);
  const [role, setRole] = useState<OrganizationRole>(member.role);
  useEffect(() => setRole(member.role), [member.role]);
  const change = useMutation({
    mutationFn: (next: OrganizationRole) => api<OrganizationView>(`/api/organizations/${organization.id}/members/${member.userId}`, { method: 'PATCH', body: { role: next } }),
    onSuccess: (updated) => {
      client.setQueryData(queryKeys.organization(organization.id), updated);
      void client.invalidateQueries({ queryKey: queryKeys.organizationList() });
    },
  });
  if (!actions.roles.length)
    return (
      <span className="whitespace-nowrap" data-testid="member-role-text">
        {t(roleKey[member.role])}
      </span>
    );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (role !== member.role && !change.isPending) change.mutate(role);
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-center gap-2">
      <label htmlFor={`${id}-role`} className="sr-only">
        {t('orgMemberRoleOf', { email: member.email })}
      </label>
      <select id={`${id}-role`} className="input w-auto py-1" value={role} onChange={(event) => setRole(event.target.value as OrganizationRole)} disabled={change.isPending} data-testid="member-role-select">
        {actions.roles.map((option) => (
          <option key={option} value={option}>
            {t(roleKey[option])}
          </option>
        ))}
      </select>
      {role !== member.role && (
        <button type="submit" className="btn btn-secondary px-3 py-1" disabled={change.isPending} aria-label={t('orgRoleApplyOf', { email: member.email })} data-testid="member-role-apply">
          {t('orgRoleApply')}
        </button>
      )}
      {change.isError && (
        <p role="alert" className="w-full text-xs text-red-800" data-testid="member-role-error">
          {errorText(change.error, t)}
        </p>
      )}
    </form>
  );
}

function RemoveButton({ member, onRemove }: { member: MemberView; onRemove: (member: MemberView) => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="btn btn-secondary px-3 py-1 text-red-800" onClick={() => onRemove(member)} aria-label={t('orgRemoveOf', { email: member.email })} data-testid="member-remove">
      {t('orgRemove')}
    </button>
  );
}

function YouBadge() {
  const { t } = useI18n();
  return <span className="ml-1 rounded-full bg-blue-100 px-2 py-0.5 text-xs font-bold whitespace-nowrap text-blue-900">{t('orgMemberYou')}</span>;
}

/** The button that shows a member's daily use in the chart below the table. */
function UsageButton({ member, shown, onShow }: { member: MemberView; shown: boolean; onShow: (member: MemberView) => void }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="btn btn-secondary px-3 py-1"
      onClick={() => onShow(member)}
      aria-label={t('orgUsageShowOf', { email: member.email })}
      aria-pressed={shown}
      aria-controls="org-member-usage-panel"
      data-testid="member-daily-show"
    >
      {t('orgUsageShow')}
    </button>
  );
}

/** A link to a member's monthly usage-pattern report in the pool. */
function ReportLink({ organization, member }: { organization: OrganizationView; member: MemberView }) {
  const { t } = useI18n();
  return (
    <Link
      href={`/organizations/member-report/?org=${organization.id}&member=${member.userId}`}
      className="btn btn-secondary px-3 py-1"
      aria-label={t('orgReportOf', { email: member.email })}
      data-testid="member-report-link"
    >
      {t('navReports')}
    </Link>
  );
}

/** The members, for owners and admins: cards on a phone, a table from `md` up. */
function Members({ organization, selfId, chartMemberId, onShowUsage }: { organization: OrganizationView; selfId: string; chartMemberId: string; onShowUsage: (member: MemberView) => void }) {
  const { t, df } = useI18n();
  const client = useQueryClient();
  const [removing, setRemoving] = useState<MemberView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (member: MemberView) => api<void>(`/api/organizations/${organization.id}/members/${member.userId}`, { method: 'DELETE' }),
    onSuccess: (_result, member) => {
      setRemoving(null);
      setNotice(t('orgRemoved', { email: member.email }));
      void client.invalidateQueries({ queryKey: queryKeys.organizations() });
    },
  });
  const members = sortMembers(organization.members ?? []);
  const open = (member: MemberView) => {
    remove.reset();
    setRemoving(member);
  };
  return (
    <Panel id="org-members" title={t('orgMembersTitle')} className="mt-4">
      <Notice text={notice} testId="members-notice" />
      <p className="mb-2 text-xs text-slate-600">{t('orgLimitHelp')}</p>
      <ul className="divide-y divide-slate-100 md:hidden" data-testid="member-cards">
        {members.map((member) => {
          const self = member.userId === selfId;
          const actions = memberActions(member, self);
          return (
            <li key={member.userId} className="min-w-0 py-3" data-testid="member-card" data-email={member.email} data-role={member.role}>
              <p className="font-medium break-all">
                {member.email}
                {self && <YouBadge />}
              </p>
              <p className="mt-0.5 text-xs text-slate-600">
                {t('orgMemberJoined')} {df(member.joinedAt)}
              </p>
              <div className="mt-2">
                <MemberLimitForm organization={organization} member={member} />
              </div>
              <div className="mt-2 flex flex-wrap items-start gap-2">
                <RoleControl organization={organization} member={member} self={self} />
                <UsageButton member={member} shown={member.userId === chartMemberId} onShow={onShowUsage} />
                <ReportLink organization={organization} member={member} />
                {actions.remove && <RemoveButton member={member} onRemove={open} />}
              </div>
            </li>
          );
        })}
      </ul>
      {/* relative: the sr-only header is absolutely positioned and would otherwise widen the page. */}
      <div className="relative hidden md:block">
        <table className="w-full text-left text-sm" data-testid="member-table">
          <TableHead
            columns={[{ label: t('orgMemberEmail') }, { label: t('orgMemberRole') }, { label: t('orgMemberUsage') }, { label: t('orgMemberJoined') }, { label: t('orgMemberActions'), hidden: true }]}
          />
          <tbody>
            {members.map((member) => {
              const self = member.userId === selfId;
              const actions = memberActions(member, self);
              return (
                <tr key={member.userId} className="border-b border-slate-100 align-middle" data-testid="member-row" data-email={member.email} data-role={member.role}>
                  <td className="px-2 py-2 break-all">
                    {member.email}
                    {self && <YouBadge />}
                  </td>
                  <td className="px-2 py-2">
                    <RoleControl organization={organization} member={member} self={self} />
                  </td>
                  <td className="px-2 py-2">
                    <MemberLimitForm organization={organization} member={member} />
                  </td>
                  <td className="px-2 py-2 whitespace-nowrap">{df(member.joinedAt)}</td>
                  <td className="px-2 py-2 text-right">
                    <div className="flex flex-wrap justify-end gap-2">
                      <UsageButton member={member} shown={member.userId === chartMemberId} onShow={onShowUsage} />
                      <ReportLink organization={organization} member={member} />
                      {actions.remove && <RemoveButton member={member} onRemove={open} />}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {removing && (
        <ConfirmDialog
          id="remove-member"
          title={t('orgRemoveTitle')}
          confirmLabel={t('orgRemoveConfirm')}
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(removing)}
          onClose={() => setRemoving(null)}
          testId="remove-dialog"
        >
          <p>{t('orgRemoveBody', { email: removing.email, name: organization.name })}</p>
        </ConfirmDialog>
      )}
    </Panel>
  );
}

/** The link just created, shown once: its full address, a copy button and why it will not be shown again. */
function CreatedLink({ invitation }: { invitation: CreatedInvitationView }) {
  const { t, df } = useI18n();
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const url = invitationUrl(window.location.origin, invitation.path);
  const doCopy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopy('copied');
    } catch {
      field.current?.select();
      setCopy('failed');
    }
  };
  return (
    <div className="mt-4 rounded-lg border border-blue-200 bg-blue-50 p-3" data-testid="invite-created">
      <p className="text-sm font-semibold text-blue-950">{t('orgInviteCreated', { role: t(roleKey[invitation.role]), date: df(invitation.expiresAt, true) })}</p>
      <label htmlFor={`${id}-url`} className="label mt-2">
        {t('orgInviteLink')}
      </label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <input ref={field} id={`${id}-url`} readOnly className="input min-w-0 font-mono text-sm sm:flex-1" value={url} onFocus={(event) => event.currentTarget.select()} aria-describedby={`${id}-once`} data-testid="invite-url" />
        <button type="button" className="btn btn-primary shrink-0" onClick={() => void doCopy()} data-testid="invite-copy">
          {t('orgCopy')}
        </button>
      </div>
      <p id={`${id}-once`} className="mt-2 text-sm text-blue-950">
        {t('orgInviteOnce')}
      </p>
      <p role="status" className={copy === 'idle' ? 'sr-only' : `mt-1 text-sm font-medium ${copy === 'copied' ? 'text-green-800' : 'text-red-800'}`} data-testid="invite-copy-status">
        {copy === 'copied' ? t('orgCopied') : copy === 'failed' ? t('orgCopyFailed') : ''}
      </p>
    </div>
  );
}

function InviteForm({ organization, onCreated }: { organization: OrganizationView; onCreated: (invitation: CreatedInvitationView) => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const id = useId();
  // The roles the API allows, member first: the common case is the preselected one.
  const roles = INVITE_ORDER.filter((role) => organization.invitableRoles.includes(role));
  const [role, setRole] = useState<InvitableRole>(roles[0] ?? 'MEMBER');
  const [hours, setHours] = useState(INVITATION_HOURS[0]!);
  const invite = useMutation({
    mutationFn: () => api<CreatedInvitationView>(`/api/organizations/${organization.id}/invitations`, { body: { role, expiresInHours: hours } }),
    onSuccess: (created) => {
      onCreated(created);
      void client.invalidateQueries({ queryKey: queryKeys.organizationInvitations(organization.id) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!invite.isPending) invite.mutate();
  };
  return (
    <form onSubmit={submit} className="space-y-3" data-testid="invite-form" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="font-bold">
        {t('orgInviteTitle')}
      </h3>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-role`} className="label">
            {t('orgInviteRole')}
          </label>
          <select id={`${id}-role`} className="input" value={role} onChange={(event) => setRole(event.target.value as InvitableRole)} aria-describedby={roles.length === 1 ? `${id}-hint` : undefined} data-testid="invite-role">
            {roles.map((option) => (
              <option key={option} value={option}>
                {t(roleKey[option])}
              </option>
            ))}
          </select>
          {roles.length === 1 && (
            <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
              {t('orgInviteAdminHint')}
            </p>
          )}
        </div>
        <div>
          <label htmlFor={`${id}-hours`} className="label">
            {t('orgInviteExpiry')}
          </label>
          <select id={`${id}-hours`} className="input" value={hours} onChange={(event) => setHours(Number(event.target.value))} data-testid="invite-hours">
            {INVITATION_HOURS.map((option) => (
              <option key={option} value={option}>
                {t('orgInviteDays', { n: option / 24 })}
              </option>
            ))}
          </select>
        </div>
      </div>
      {invite.isError && (
        <p role="alert" className="rounded bg-red-100 p-2 text-sm text-red-900" data-testid="invite-error">
          {errorText(invite.error, t)}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={invite.isPending} data-testid="invite-submit">
        {invite.isPending ? t('orgInviting') : t('orgInviteSubmit')}
      </button>
    </form>
  );
}

/** Open invitation links (not used, revoked or expired) with a revoke button, and the form that makes one. */
function Invitations({ organization }: { organization: OrganizationView }) {
  const { t, df } = useI18n();
  const client = useQueryClient();
  const [created, setCreated] = useState<CreatedInvitationView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const invitations = useQuery({
    queryKey: queryKeys.organizationInvitations(organization.id),
    queryFn: () => api<InvitationView[]>(`/api/organizations/${organization.id}/invitations`),
  });
  const revoke = useMutation({
    mutationFn: (invitation: InvitationView) => api<void>(`/api/organizations/${organization.id}/invitations/${invitation.id}`, { method: 'DELETE' }),
    onSuccess: (_result, invitation) => {
      if (created?.id === invitation.id) setCreated(null);
      setNotice(t('orgRevoked'));
      void client.invalidateQueries({ queryKey: queryKeys.organizationInvitations(organization.id) });
    },
  });
  const revokeButton = (invitation: InvitationView) => (
    <button
      type="button"
      className="btn btn-secondary px-3 py-1"
      onClick={() => revoke.mutate(invitation)}
      disabled={revoke.isPending}
      aria-label={t('orgRevokeOf', { date: df(invitation.createdAt, true) })}
      data-testid="invitation-revoke"
    >
      {t('orgRevoke')}
    </button>
  );
  const list = invitations.data ?? [];
  return (
    <Panel id="org-invitations" title={t('orgInvitationsTitle')} className="mt-4">
      <Notice text={notice} testId="invitations-notice" />
      <p className="mb-3 text-xs text-slate-600">{t('orgInvitationsNote')}</p>
      {invitations.isPending ? (
        <Spinner />
      ) : invitations.isError ? (
        <p role="alert" className="text-red-800">
          {errorText(invitations.error, t)}
        </p>
      ) : list.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="invitations-none">
          {t('orgInvitationsNone')}
        </p>
      ) : (
        <>
          <ul className="divide-y divide-slate-100 md:hidden" data-testid="invitation-cards">
            {list.map((invitation) => (
              <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2 py-3" data-testid="invitation-card" data-invitation={invitation.id}>
                <div className="min-w-0">
                  <p className="font-medium">{t(roleKey[invitation.role])}</p>
                  <p className="text-xs text-slate-600">{t('orgInvitationExpiresOn', { date: df(invitation.expiresAt, true) })}</p>
                </div>
                {revokeButton(invitation)}
              </li>
            ))}
          </ul>
          <div className="relative hidden md:block">
            <table className="w-full text-left text-sm" data-testid="invitation-table">
              <TableHead columns={[{ label: t('orgInvitationRole') }, { label: t('orgInvitationCreated') }, { label: t('orgInvitationExpires') }, { label: t('orgRevoke'), hidden: true }]} />
              <tbody>
                {list.map((invitation) => (
                  <tr key={invitation.id} className="border-b border-slate-100" data-testid="invitation-row" data-invitation={invitation.id}>
                    <td className="px-2 py-2">{t(roleKey[invitation.role])}</td>
                    <td className="px-2 py-2 whitespace-nowrap">{df(invitation.createdAt, true)}</td>
                    <td className="px-2 py-2 whitespace-nowrap">{df(invitation.expiresAt, true)}</td>
                    <td className="px-2 py-2 text-right">{revokeButton(invitation)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {revoke.isError && (
        <p role="alert" className="mt-2 text-sm text-red-800">
          {errorText(revoke.error, t)}
        </p>
      )}
      <div className="mt-4 border-t border-slate-200 pt-4">
        <InviteForm
          organization={organization}
          onCreated={(invitation) => {
            setNotice(null);
            setCreated(invitation);
          }}
        />
        {created && <CreatedLink key={created.id} invitation={created} />}
      </div>
    </Panel>
  );
}

function Leave({ organization, selfId }: { organization: OrganizationView; selfId: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const router = useRouter();
  const [asking, setAsking] = useState(false);
  const leave = useMutation({
    mutationFn: () => api<void>(`/api/organizations/${organization.id}/members/${selfId}`, { method: 'DELETE' }),
    onSuccess: () => {
      client.removeQueries({ queryKey: queryKeys.organization(organization.id) });
      void client.invalidateQueries({ queryKey: queryKeys.organizations() });
      router.replace('/organizations/');
    },
  });
  return (
    <div className="mt-6 border-t border-slate-200 pt-4">
      <button
        type="button"
        className="btn btn-secondary text-red-800"
        onClick={() => {
          leave.reset();
          setAsking(true);
        }}
        data-testid="org-leave"
      >
        {t('orgLeave')}
      </button>
      {asking && (
        <ConfirmDialog
          id="leave-org"
          title={t('orgLeaveTitle')}
          confirmLabel={leave.isPending ? t('orgLeaving') : t('orgLeaveConfirm')}
          pending={leave.isPending || leave.isSuccess}
          error={leave.error}
          onConfirm={() => leave.mutate()}
          onClose={() => setAsking(false)}
          testId="leave-dialog"
        >
          <p>{t('orgLeaveBody', { name: organization.name })}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function Header({ organization }: { organization: OrganizationView }) {
  const { t, df } = useI18n();
  const client = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const rename = useMutation({
    mutationFn: (name: string) => api<OrganizationView>(`/api/organizations/${organization.id}`, { method: 'PATCH', body: { name } }),
    onSuccess: (updated) => {
      client.setQueryData(queryKeys.organization(organization.id), updated);
      void client.invalidateQueries({ queryKey: queryKeys.organizationList() });
      setRenaming(false);
      setNotice(t('orgRenamed'));
    },
  });
  return (
    <>
      <Link href="/organizations/" className="text-sm font-medium text-blue-800 underline">
        ← {t('orgBackToList')}
      </Link>
      {renaming ? (
        <div className="mt-2 max-w-xl">
          <h1 className="sr-only">{organization.name}</h1>
          <OrganizationNameForm
            initial={organization.name}
            label={t('orgName')}
            submitLabel={t('orgRenameSave')}
            pendingLabel={t('orgRenaming')}
            pending={rename.isPending}
            error={rename.error}
            onSubmit={(name) => rename.mutate(name)}
            onCancel={() => setRenaming(false)}
            testId="org-rename"
          />
        </div>
      ) : (
        <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 className="min-w-0 text-2xl font-bold break-words" data-testid="org-name">
            {organization.name}
          </h1>
          {managesMembers(organization) && (
            <button
              type="button"
              className="btn btn-secondary px-3 py-1"
              onClick={() => {
                rename.reset();
                setNotice(null);
                setRenaming(true);
              }}
              data-testid="org-rename-open"
            >
              {t('orgRename')}
            </button>
          )}
        </div>
      )}
      <p className="mt-1 text-sm text-slate-700" data-testid="org-my-role" data-role={organization.role}>
        {t('orgYourRoleIs', { role: t(roleKey[organization.role]) })} · {t('orgCreatedOn')} {df(organization.createdAt)}
      </p>
      <div className="mt-2">
        <Notice text={notice} testId="rename-notice" />
      </div>
    </>
  );
}

/** The organization's tokens, for every member: the pool in the usage card's levels, and the reader's own limit in it. */
function Pool({ organization }: { organization: OrganizationView }) {
  const { t } = useI18n();
  const usage = useOrganizationUsage(organization.id);
  if (usage.isError)
    return (
      <QueryFailed error={usage.error} onRetry={() => void usage.refetch()} className="card mt-4 text-red-800" />
    );
  if (!usage.data) return <Spinner />;
  return (
    <div className="mt-4" data-testid="org-pool">
      <UsageCard usage={usage.data.pool} pool={{ name: organization.name, member: usage.data.member }} showActions={false} />
    </div>
  );
}

/**
 * The organization's reports: a member's daily use (owners and admins pick the member, from the
 * members table or the chart's own select; a member sees their own) and, for owners and admins, the
 * usage history with its CSV file.
 */
function Manage({ organization, selfId }: { organization: OrganizationView; selfId: string }) {
  const [chartMemberId, setChartMemberId] = useState(selfId);
  const chart = useRef<HTMLDivElement>(null);
  const showUsage = (member: MemberView) => {
    setChartMemberId(member.userId);
    chart.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  };
  const members = organization.members ?? [];
  // A member removed meanwhile: the chart falls back to the reader's own use.
  const memberId = members.some((member) => member.userId === chartMemberId) ? chartMemberId : selfId;
  return (
    <>
      <Members organization={organization} selfId={selfId} chartMemberId={memberId} onShowUsage={showUsage} />
      <div ref={chart} id="org-member-usage-panel" className="scroll-mt-4">
        <MemberUsageChart organization={organization} memberId={memberId} onMemberChange={setChartMemberId} members={members} />
      </div>
      <OrganizationLedger organization={organization} />
      <Invitations organization={organization} />
    </>
  );
}

function Detail() {
  const { t } = useI18n();
  const { user } = useAuth();
  const [id, setId] = useState<string | null>(null);
  useEffect(() => setId(new URLSearchParams(window.location.search).get('id') ?? ''), []);
  const organization = useQuery({
    queryKey: queryKeys.organization(id),
    queryFn: () => api<OrganizationView>(`/api/organizations/${encodeURIComponent(id ?? '')}`),
    enabled: !!id,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
  if (id === null || (id && organization.isPending)) return <Spinner />;
  if (!id || (organization.error instanceof ApiError && organization.error.status === 404))
    return (
      <div className="card" data-testid="org-not-found">
        <p role="alert" className="text-red-800">
          {t('orgNotFound')}
        </p>
        <Link href="/organizations/" className="mt-3 inline-block text-sm font-medium text-blue-800 underline">
          {t('orgBackToList')}
        </Link>
      </div>
    );
  if (organization.isError || !organization.data || !user)
    return (
      <QueryFailed error={organization.error} onRetry={() => void organization.refetch()} className="card text-red-800" />
    );
  const data = organization.data;
  return (
    <>
      <Header organization={data} />
      <Pool organization={data} />
      {managesMembers(data) && <OrganizationPurchase organizationId={data.id} />}
      {data.members ? (
        <Manage organization={data} selfId={user.id} />
      ) : (
        <>
          <MemberUsageChart organization={data} memberId={user.id} members={null} />
          <p className="card mt-4 text-sm text-slate-700" data-testid="org-member-view">
            {t('orgMemberView')}
          </p>
        </>
      )}
      <Leave organization={data} selfId={user.id} />
    </>
  );
}

export default function OrganizationDetailPage() {
  return (
    <AppShell>
      <Detail />
    </AppShell>
  );
}
