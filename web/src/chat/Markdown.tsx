import { ActionIcon, CopyButton, Tooltip } from '@mantine/core';
import { Children, isValidElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import ReactMarkdown from 'react-markdown';

/** The text inside a rendered code block, for the copy button. */
export function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (isValidElement<{ children?: ReactNode }>(node)) return textOf(node.props.children);
  return '';
}

function CodeBlock({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  const code = Children.toArray(children).map(textOf).join('').replace(/\n$/, '');
  return (
    <div style={{ position: 'relative' }}>
      <CopyButton value={code}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? t('chat.copied') : t('chat.copy')}>
            <ActionIcon
              variant="default"
              size="sm"
              onClick={copy}
              aria-label={copied ? t('chat.copied') : t('chat.copy')}
              style={{ position: 'absolute', top: 6, right: 6 }}
            >
              <span aria-hidden="true">{copied ? '✓' : '⧉'}</span>
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
      <pre>{children}</pre>
    </div>
  );
}

/**
 * A model's answer as Markdown. Raw HTML in it is never rendered (react-markdown escapes it), and
 * links keep only safe protocols (its default URL transform drops `javascript:` and the like).
 */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        components={{
          pre: CodeBlock,
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noopener noreferrer nofollow">
              {children}
            </a>
          ),
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
