import type { Mail } from '../mail/mail.service.js';

/**
 * The mail an account's owner gets, in their language. Links carry the token after `#`, so it
 * never reaches a server's access log or another site's Referer header.
 */
export function passwordResetMail(to: string, locale: 'ko' | 'en', link: string, ttlMinutes: number): Mail {
  if (locale === 'en') {
    return {
      to,
      subject: 'Reset your Consult-On password',
      text: [
        'Someone asked to reset the password of your Consult-On account.',
        `To choose a new password, open this link within ${ttlMinutes} minutes. It works once.`,
        '',
        link,
        '',
        'If it was not you, ignore this mail: your password stays as it is.',
      ].join('\n'),
    };
  }
  return {
    to,
    subject: '[Consult-On] 비밀번호 재설정 안내',
    text: [
      'Consult-On 계정의 비밀번호 재설정 요청을 받았습니다.',
      `아래 링크를 ${ttlMinutes}분 안에 열어 새 비밀번호를 정해 주세요. 링크는 한 번만 쓸 수 있습니다.`,
      '',
      link,
      '',
      '요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 비밀번호는 바뀌지 않습니다.',
    ].join('\n'),
  };
}

export function emailVerificationMail(to: string, locale: 'ko' | 'en', link: string, ttlHours: number): Mail {
  if (locale === 'en') {
    return {
      to,
      subject: 'Verify your email address for Consult-On',
      text: [
        'Welcome to Consult-On. Open this link to verify your email address:',
        '',
        link,
        '',
        `The link works for ${ttlHours} hours. If you did not sign up, ignore this mail.`,
      ].join('\n'),
    };
  }
  return {
    to,
    subject: '[Consult-On] 이메일 주소를 인증해 주세요',
    text: [
      'Consult-On에 가입해 주셔서 감사합니다. 아래 링크를 열어 이메일 주소를 인증해 주세요.',
      '',
      link,
      '',
      `링크는 ${ttlHours}시간 동안 쓸 수 있습니다. 가입하지 않으셨다면 이 메일을 무시하셔도 됩니다.`,
    ].join('\n'),
  };
}
