/**
 * Messages of one part of the app, kept apart so that parts can be worked on side by side; ko.ts
 * and en.ts spread them in. Both objects must have the same keys (en.ts checks it).
 */
export const chatAnswersKo = {
  answerActionsLabel: '답변 도구',
  answerCopy: '복사',
  answerCopyLabel: '답변 복사',
  answerCopied: '복사했습니다',
  answerCopyFailed: '복사하지 못했습니다',
  codeCopy: '코드 복사',
  codeCopied: '복사했습니다',
  answerRegenerate: '다시 생성',
  answerRegenerateHint: '같은 질문을 다시 보내 새 답변을 받습니다. 새 답변에 쓰인 토큰이 차감됩니다.',
  regeneratedQuestion: '같은 질문으로 다시 생성',
  questionEdit: '수정',
  questionEditLabel: '질문을 수정해서 다시 보내기',
  questionEditField: '수정할 질문',
  questionEditHint: '수정한 질문은 새 질문으로 보내지며, 답변에 쓰인 토큰이 차감됩니다.',
  questionEditSend: '보내기',
  questionEditCancel: '취소',
  markdownImage: '이미지 링크',
  markdownTaskDone: '(완료)',
  markdownTaskOpen: '(미완료)',
  answerPlainText: '답변이 너무 길어 서식 없이 표시합니다.',
} as const;

export const chatAnswersEn = {
  answerActionsLabel: 'Answer tools',
  answerCopy: 'Copy',
  answerCopyLabel: 'Copy the answer',
  answerCopied: 'Copied',
  answerCopyFailed: "Couldn't copy",
  codeCopy: 'Copy code',
  codeCopied: 'Copied',
  answerRegenerate: 'Regenerate',
  answerRegenerateHint: 'Sends the same question again for a new answer. The tokens of the new answer are charged.',
  regeneratedQuestion: 'Same question, regenerated',
  questionEdit: 'Edit',
  questionEditLabel: 'Edit the question and send it again',
  questionEditField: 'Question to edit',
  questionEditHint: 'The edited question is sent as a new question; the tokens of its answer are charged.',
  questionEditSend: 'Send',
  questionEditCancel: 'Cancel',
  markdownImage: 'Image link',
  markdownTaskDone: '(done)',
  markdownTaskOpen: '(not done)',
  answerPlainText: 'This answer is too long to format; it is shown as plain text.',
} satisfies Record<keyof typeof chatAnswersKo, string>;
