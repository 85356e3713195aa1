'use client';

import { useId, useRef, useState, type ComponentProps, type FormEvent } from 'react';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { nameError, normalizeName, ORGANIZATION_NAME_RULE, type NameRule } from '@/lib/organizations';

/** An organization's name (1–60 characters, not blank): to create one and to rename it. */
export function OrganizationNameForm(props: Omit<ComponentProps<typeof NameForm>, 'rule'>) {
  return <NameForm rule={ORGANIZATION_NAME_RULE} {...props} />;
}

/**
 * A name, checked here as the API checks it (`rule`) before it is sent; the API's own refusal is
 * shown under it too.
 */
export function NameForm({
  rule,
  initial = '',
  label,
  submitLabel,
  pendingLabel,
  pending,
  error,
  onSubmit,
  onCancel,
  testId,
}: {
  rule: NameRule;
  initial?: string;
  label: string;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (name: string) => void;
  onCancel?: () => void;
  testId: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [name, setName] = useState(initial);
  const [problem, setProblem] = useState<ReturnType<typeof nameError>>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = nameError(name, rule);
    setProblem(found);
    if (found) {
      input.current?.focus();
      return;
    }
    if (!pending) onSubmit(normalizeName(name));
  };
  const described = [`${id}-hint`, problem ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <form onSubmit={submit} noValidate className="space-y-2" data-testid={testId}>
      <label htmlFor={`${id}-name`} className="label">
        {label}
      </label>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <input
          ref={input}
          id={`${id}-name`}
          name="name"
          className="input sm:flex-1"
          required
          maxLength={rule.max * 2}
          autoComplete="off"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            if (problem) setProblem(nameError(event.target.value, rule));
          }}
          aria-invalid={problem ? true : undefined}
          aria-describedby={described}
          data-testid={`${testId}-input`}
        />
        <div className="flex shrink-0 gap-2">
          <button type="submit" className="btn btn-primary" disabled={pending} data-testid={`${testId}-submit`}>
            {pending ? pendingLabel : submitLabel}
          </button>
          {onCancel && (
            <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={pending}>
              {t('cancel')}
            </button>
          )}
        </div>
      </div>
      <p id={`${id}-hint`} className="text-xs text-slate-600">
        {t(rule.hint)}
      </p>
      {problem && (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-800" data-testid={`${testId}-error`}>
          {t(problem)}
        </p>
      )}
      {!!error && !problem && (
        <p role="alert" className="rounded bg-red-100 p-2 text-sm text-red-900" data-testid={`${testId}-api-error`}>
          {errorText(error, t)}
        </p>
      )}
    </form>
  );
}
