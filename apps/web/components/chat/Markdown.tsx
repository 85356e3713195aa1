'use client';

import { memo, useDeferredValue, useMemo, type ReactNode } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { useI18n, type Lang } from '@/lib/i18n';
import { CopyButton } from './AnswerActions';

/**
 * An answer's Markdown (GFM: lists, tables, code, strikethrough, task lists, autolinks), rendered
 * safely: raw HTML in the text stays text (no rehype-raw), only the elements Markdown makes are
 * allowed, links open only http(s), mailto or in-page anchors, and images are never loaded (they
 * become links). The text is cut into chunks of whole blocks, each memoized: while a reply
 * streams, only the last chunk is parsed again on each delta.
 */

type HastNode = NonNullable<ExtraProps['node']>;
type HastChild = HastNode['children'][number];

/** Beyond this an answer is shown as plain text: parsing a huge Markdown document could hold the page. */
export const MARKDOWN_MAX_CHARS = 200_000;

const remarkPlugins = [remarkGfm];

const allowedElements = [
  'p', 'br', 'strong', 'em', 'del', 'a', 'img', 'code', 'pre', 'blockquote', 'hr',
  'ul', 'ol', 'li', 'input', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'section',
];

/** Keeps http(s) and mailto URLs and in-page anchors (footnotes); anything else (javascript:, data:, relative) is dropped. */
export function safeUrl(url: string): string | undefined {
  const value = url.trim();
  if (/^#[\w-]*$/.test(value)) return value;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' || parsed.protocol === 'mailto:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function textOf(node: HastNode | HastChild | undefined): string {
  if (!node) return '';
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node) return (node.children as HastChild[]).map(textOf).join('');
  return '';
}

// Monospace first, then the app's Korean font: most monospace fonts have no Hangul, and a code
// block in Korean must not fall back to whatever (or no) system font the device has.
const mono = "font-[ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation_Mono','Noto_Sans_KR_Variable','Noto_Sans_KR','Apple_SD_Gothic_Neo','Malgun_Gothic',monospace]";

const linkRel = 'noopener noreferrer nofollow';
const linkClass = 'font-medium text-blue-800 underline underline-offset-2 hover:text-blue-950';

function Link({ href, label, children }: { href?: string; label?: string; children?: ReactNode }) {
  if (!href) return <span>{children}</span>;
  const inPage = href.startsWith('#');
  return (
    <a href={href} rel={linkRel} target={inPage ? undefined : '_blank'} aria-label={label} className={linkClass}>
      {children}
    </a>
  );
}

/** An image is never fetched from wherever the answer points: it is shown as a link to it. */
function ImageLink({ src, alt }: { src?: string | Blob; alt?: string }) {
  const { t } = useI18n();
  const href = typeof src === 'string' && src && !src.startsWith('#') ? src : undefined;
  const label = `${t('markdownImage')}: ${alt || href || ''}`;
  if (!href) return <span>{label}</span>;
  return (
    <a href={href} rel={linkRel} target="_blank" className={linkClass} data-testid="markdown-image-link">
      {label}
    </a>
  );
}

/** A task list's box, drawn rather than a form control nobody can use: its state is said in words to screen readers. */
function TaskMark({ done }: { done: boolean }) {
  const { t } = useI18n();
  return (
    <span className="mr-1" data-testid="task-mark" data-done={done}>
      <span aria-hidden>{done ? '☑' : '☐'}</span>
      <span className="sr-only">{done ? t('markdownTaskDone') : t('markdownTaskOpen')}</span>
    </span>
  );
}

function CodeBlock({ node, children }: { node?: HastNode; children?: ReactNode }) {
  const code = node?.children.find((child): child is HastNode => child.type === 'element' && child.tagName === 'code');
  const classes = code?.properties?.className;
  const language = (Array.isArray(classes) ? classes : [])
    .map(String)
    .find((name) => name.startsWith('language-'))
    ?.slice('language-'.length);
  const text = textOf(code).replace(/\n$/, '');
  return (
    <div className="my-2 overflow-hidden rounded-lg bg-slate-900 text-slate-100" data-testid="code-block">
      <div className="flex items-center justify-between gap-2 border-b border-slate-700 px-3 py-1 text-xs text-slate-300">
        <span className={mono}>{language ?? ''}</span>
        <CopyButton text={text} label="codeCopy" done="codeCopied" className="rounded px-2 py-0.5 font-medium text-slate-100 hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-white" testId="copy-code" />
      </div>
      <pre className="overflow-x-auto p-3 text-sm leading-relaxed [&>code]:bg-transparent [&>code]:p-0 [&>code]:text-inherit">{children}</pre>
    </div>
  );
}

const components: Components = {
  a: ({ href, children, ...rest }) => (
    <Link href={href} label={rest['aria-label']}>
      {children}
    </Link>
  ),
  img: ({ src, alt }) => <ImageLink src={src} alt={alt} />,
  pre: ({ node, children }) => <CodeBlock node={node}>{children}</CodeBlock>,
  code: ({ className, children }) => <code className={`rounded bg-slate-100 px-1 py-0.5 ${mono} text-[0.9em] ${className ?? ''}`}>{children}</code>,
  p: ({ children }) => <p className="my-2 first:mt-0 last:mb-0">{children}</p>,
  ul: ({ children, className }) => <ul className={`my-2 space-y-1 pl-5 ${className?.includes('contains-task-list') ? 'list-none pl-1' : 'list-disc'}`}>{children}</ul>,
  ol: ({ children, start }) => (
    <ol className="my-2 list-decimal space-y-1 pl-5" start={start}>
      {children}
    </ol>
  ),
  li: ({ children }) => <li className="pl-1 [&>p]:my-1">{children}</li>,
  input: ({ type, checked }) => (type === 'checkbox' ? <TaskMark done={!!checked} /> : null),
  blockquote: ({ children }) => <blockquote className="my-2 border-l-4 border-slate-300 pl-3 text-slate-700">{children}</blockquote>,
  h1: ({ children }) => <h3 className="mt-3 mb-2 text-lg font-bold first:mt-0">{children}</h3>,
  // The footnotes' own heading (remark-gfm makes it an sr-only h2) stays for screen readers only.
  h2: ({ children, className }) => <h4 className={className === 'sr-only' ? 'sr-only' : 'mt-3 mb-2 text-base font-bold first:mt-0'}>{children}</h4>,
  h3: ({ children }) => <h5 className="mt-3 mb-1 font-semibold first:mt-0">{children}</h5>,
  h4: ({ children }) => <h6 className="mt-2 mb-1 font-semibold first:mt-0">{children}</h6>,
  h5: ({ children }) => <p className="mt-2 mb-1 font-semibold first:mt-0">{children}</p>,
  h6: ({ children }) => <p className="mt-2 mb-1 font-semibold first:mt-0">{children}</p>,
  hr: () => <hr className="my-3 border-slate-200" />,
  table: ({ children }) => (
    // Columns as wide as their longest word; a table wider than the answer scrolls inside it.
    <div className="my-2 max-w-full overflow-x-auto [overflow-wrap:break-word]" data-testid="markdown-table">
      <table className="min-w-full border-collapse text-sm">{children}</table>
    </div>
  ),
  th: ({ children, style }) => (
    <th className="border border-slate-300 bg-slate-100 px-2 py-1 text-left font-semibold" style={style}>
      {children}
    </th>
  ),
  td: ({ children, style }) => (
    <td className="border border-slate-300 px-2 py-1 align-top" style={style}>
      {children}
    </td>
  ),
  section: ({ children }) => <section className="mt-3 border-t border-slate-200 pt-2 text-sm">{children}</section>,
};

const footnoteOptions = {
  ko: { footnoteLabel: '각주', footnoteBackLabel: '본문으로 돌아가기' },
  en: { footnoteLabel: 'Footnotes', footnoteBackLabel: 'Back to the text' },
};

/** One chunk of the answer, parsed and rendered again only when its own text changes. */
const Block = memo(function Block({ source, lang }: { source: string; lang: Lang }) {
  return (
    <ReactMarkdown
      remarkPlugins={remarkPlugins}
      remarkRehypeOptions={footnoteOptions[lang]}
      components={components}
      allowedElements={allowedElements}
      unwrapDisallowed
      urlTransform={safeUrl}
    >
      {source}
    </ReactMarkdown>
  );
});

const fenceOpen = /^\s*(`{3,}|~{3,})/;
const definition = /^ {0,3}\[[^\]\n]+\]:/m;
const listItem = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const trailingBlank = /(?:\n[ \t]*)+$/;

/**
 * Cuts Markdown into top-level blocks at blank lines, so that the blocks already streamed keep
 * their text. It never cuts inside a fenced code block, before an indented line (a list item's
 * continuation or indented code) or between the items of one list, and not at all when the text
 * has link or footnote definitions (they reach across blocks).
 */
export function splitBlocks(text: string): string[] {
  if (definition.test(text)) return [text];
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let afterBlank = false;
  let listBlock = false;
  const flush = () => {
    const block = current.join('\n').replace(trailingBlank, '');
    if (block.trim()) blocks.push(block);
    current = [];
  };
  for (const line of text.split('\n')) {
    if (fence) {
      current.push(line);
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) fence = null;
      continue;
    }
    if (!line.trim()) {
      current.push(line);
      afterBlank = true;
      continue;
    }
    if (afterBlank) {
      const continues = /^[ \t]/.test(line) || (listBlock && listItem.test(line));
      if (!continues) {
        flush();
        listBlock = false;
      }
    }
    if (!current.some((l) => l.trim())) listBlock = listItem.test(line);
    afterBlank = false;
    const open = fenceOpen.exec(line);
    if (open) fence = open[1]!;
    current.push(line);
  }
  flush();
  return blocks;
}

/** About how much text one rendered chunk holds: small enough to parse again on every streamed chunk. */
export const CHUNK_CHARS = 2_000;

/**
 * Groups consecutive blocks into chunks of about `CHUNK_CHARS`, filled from the start, so that a
 * streamed prefix has the same finished chunks as the whole text: only the last one grows.
 */
export function chunkBlocks(blocks: readonly string[], size = CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const block of blocks) {
    if (current && current.length >= size) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n\n${block}` : block;
  }
  if (current) chunks.push(current);
  return chunks;
}

/** The answer's Markdown, chunk by chunk; past `MARKDOWN_MAX_CHARS`, plain text with a note. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const { t, lang } = useI18n();
  // While chunks arrive faster than a big last block (a long table) can be parsed, React renders
  // the newest text it can keep up with instead of every intermediate one.
  const shown = useDeferredValue(text);
  const blocks = useMemo(() => (shown.length > MARKDOWN_MAX_CHARS ? null : chunkBlocks(splitBlocks(shown))), [shown]);
  if (!blocks) {
    return (
      <div className="min-w-0 [overflow-wrap:anywhere]" data-testid="markdown">
        <p className="mb-2 text-xs text-slate-600">{t('answerPlainText')}</p>
        <div className="whitespace-pre-wrap">{shown}</div>
      </div>
    );
  }
  return (
    <div className="min-w-0 [overflow-wrap:anywhere]" data-testid="markdown">
      {blocks.map((chunk, index) => (
        <Block key={index} source={chunk} lang={lang} />
      ))}
    </div>
  );
});
