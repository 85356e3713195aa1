import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api';
import { I18nProvider } from '@/lib/i18n';
import { OrganizationNameForm } from './OrganizationNameForm';

function renderForm(onSubmit = vi.fn(), error: unknown = null) {
  render(
    <I18nProvider>
      <OrganizationNameForm label="조직 이름" submitLabel="만들기" pendingLabel="만드는 중…" pending={false} error={error} onSubmit={onSubmit} testId="org-create" />
    </I18nProvider>,
  );
  return onSubmit;
}

describe('OrganizationNameForm', () => {
  it('refuses a blank name in the browser, says why and focuses the field', () => {
    const onSubmit = renderForm();
    fireEvent.change(screen.getByLabelText('조직 이름'), { target: { value: '  \t ' } });
    fireEvent.click(screen.getByRole('button', { name: '만들기' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByTestId('org-create-error')).toHaveTextContent('조직 이름을 입력해 주세요.');
    expect(screen.getByLabelText('조직 이름')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('조직 이름')).toHaveFocus();
  });

  it('refuses more than 60 characters, then sends the name as the API stores it', () => {
    const onSubmit = renderForm();
    const field = screen.getByLabelText('조직 이름');
    fireEvent.change(field, { target: { value: '가'.repeat(61) } });
    fireEvent.click(screen.getByRole('button', { name: '만들기' }));
    expect(screen.getByTestId('org-create-error')).toHaveTextContent('60자 이하');
    fireEvent.change(field, { target: { value: '  온길   상담센터 ' } });
    expect(screen.queryByTestId('org-create-error')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: '만들기' }));
    expect(onSubmit).toHaveBeenCalledWith('온길 상담센터');
  });

  it('shows the API’s refusal in its own words', () => {
    renderForm(vi.fn(), new ApiError(400, 'VALIDATION_FAILED', '이름을 확인해 주세요.'));
    expect(screen.getByTestId('org-create-api-error')).toHaveTextContent('이름을 확인해 주세요.');
  });
});
