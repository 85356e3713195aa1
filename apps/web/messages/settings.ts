/**
 * Messages of one part of the app (see organizations.ts): the account's settings (설정) — changing
 * the password (the language, export and deletion are in account.ts).
 */
export const settingsKo = {
  navSettings: '설정',
  settingsTitle: '설정',
  passwordChangeTitle: '비밀번호 변경',
  passwordChangeIntro: '비밀번호를 바꾸면 이 기기를 뺀 모든 곳에서 로그아웃됩니다. API 키는 그대로 쓸 수 있습니다.',
  currentPassword: '지금 비밀번호',
  newPassword: '새 비밀번호',
  newPasswordConfirm: '새 비밀번호 확인',
  passwordRequired: '지금 비밀번호를 입력해 주세요.',
  passwordTooShort: '새 비밀번호는 8자 이상으로 입력해 주세요.',
  passwordMismatch: '새 비밀번호와 확인이 서로 다릅니다.',
  passwordChange: '비밀번호 변경',
  passwordChanging: '바꾸는 중…',
  passwordChanged: '비밀번호를 바꿨습니다. 다른 기기에서는 새 비밀번호로 다시 로그인해 주세요.',
};

export const settingsEn = {
  navSettings: 'Settings',
  settingsTitle: 'Settings',
  passwordChangeTitle: 'Change password',
  passwordChangeIntro: 'Changing your password signs you out everywhere but on this device. API keys keep working.',
  currentPassword: 'Current password',
  newPassword: 'New password',
  newPasswordConfirm: 'Confirm new password',
  passwordRequired: 'Enter your current password.',
  passwordTooShort: 'Enter a new password of at least 8 characters.',
  passwordMismatch: 'The new password and its confirmation differ.',
  passwordChange: 'Change password',
  passwordChanging: 'Changing…',
  passwordChanged: 'Your password is changed. On other devices, sign in again with the new one.',
} satisfies Record<keyof typeof settingsKo, string>;
