import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import axe from 'axe-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initI18n, setLanguage } from '../i18n/i18n';
import { Loading } from './Loading';

describe('Loading', () => {
  beforeAll(() => {
    initI18n();
    setLanguage('en');
  });

  it('says "Loading…" to screen readers without an ARIA attribute its element may not carry', async () => {
    const { container, getByRole } = render(
      <MantineProvider>
        <Loading />
      </MantineProvider>,
    );
    expect(getByRole('status').textContent).toBe('Loading…');
    const result = await axe.run(container, {
      runOnly: ['aria-prohibited-attr', 'aria-allowed-attr'],
    });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });
});
