import { Alert, Button, Group, Switch, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { DataTable } from './DataTable';
import { useAdminList } from './useAdminList';

/** A catalogue row; prices are decimal strings. */
type AdminModel = Schemas['AdminModelDto'];

const KEY = ['admin', 'models'];

export function AdminModels() {
  const { t } = useTranslation();
  const models = useAdminList(KEY, () => unwrap(hub.GET('/api/admin/models')));
  return (
    <DataTable
      label={t('admin.sections.models')}
      testId="admin-models"
      {...models}
      rowKey={(m) => m.id}
      columns={[
        { label: t('dashboard.model'), render: (m) => `${m.name} (${m.provider})` },
        { label: t('admin.edit'), render: (m) => <ModelEditor model={m} /> },
      ]}
    />
  );
}

/** Prices, output limit and the switch of one model; saved at once for every instance. */
function ModelEditor({ model }: { model: AdminModel }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [input, setInput] = useState(model.input_price_per_1k);
  const [output, setOutput] = useState(model.output_price_per_1k);
  const [max, setMax] = useState(String(model.max_output_tokens));
  const [enabled, setEnabled] = useState(model.enabled);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        hub.PATCH('/api/admin/models/{id}', {
          params: { path: { id: model.id } },
          body: {
            input_price_per_1k: input,
            output_price_per_1k: output,
            max_output_tokens: Number(max),
            enabled,
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
  return (
    <Group align="flex-end" gap="xs" wrap="wrap">
      <TextInput
        size="xs"
        label={t('dashboard.inputPrice')}
        value={input}
        onChange={(e) => setInput(e.currentTarget.value)}
        w={120}
      />
      <TextInput
        size="xs"
        label={t('dashboard.outputPrice')}
        value={output}
        onChange={(e) => setOutput(e.currentTarget.value)}
        w={120}
      />
      <TextInput
        size="xs"
        label={t('admin.maxOutput')}
        value={max}
        onChange={(e) => setMax(e.currentTarget.value)}
        w={100}
      />
      <Switch
        label={t('admin.enabled')}
        checked={enabled}
        onChange={(e) => setEnabled(e.currentTarget.checked)}
      />
      <Button size="xs" loading={save.isPending} onClick={() => save.mutate()}>
        {t('common.save')}
      </Button>
      {save.isError && (
        <Alert color="red" p={4}>
          {save.error.message}
        </Alert>
      )}
      {save.isSuccess && <span role="status">✓</span>}
    </Group>
  );
}
