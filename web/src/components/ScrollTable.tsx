import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways on a narrow screen; keyboard users can focus the region to
 * scroll it (axe: scrollable-region-focusable).
 */
export function ScrollTable(props: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <div
      role="region"
      aria-label={props.label}
      tabIndex={0}
      style={{ overflowX: 'auto', maxWidth: '100%' }}
    >
      <div style={{ minWidth: props.minWidth }}>{props.children}</div>
    </div>
  );
}
