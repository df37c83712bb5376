import {
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Modal,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { useServerForm } from '../components/useServerForm';
import { CapFields } from './CapFields';
import { ConfirmModal } from '../components/ConfirmModal';
import { DataTable } from './DataTable';
import { FormFooter } from './FormFooter';
import { ScopeCheckboxes } from './ScopeCheckboxes';
import { SecretOnce } from './SecretOnce';
import { useAdminList, useRowAction } from './useAdminList';

type OAuthClient = Schemas['OAuthClientDto'];
type Scope = Schemas['CreateOAuthClientDto']['scopes'][number];
type ClientType = Schemas['CreateOAuthClientDto']['client_type'];
type Period = Schemas['DefaultGrantDto']['period'];

const SCOPES: Scope[] = ['profile', 'credits:read', 'credits:spend', 'chat'];
const KEY = ['admin', 'oauth-clients'];

/** What the form edits; the API's shape is built from it on submit. */
interface Fields {
  name: string;
  logo: string;
  redirects: string;
  type: ClientType;
  scopes: Scope[];
  pkce: boolean;
  cap: string;
  period: Period;
}

const NEW_CLIENT: Fields = {
  name: '',
  logo: '',
  redirects: '',
  type: 'confidential',
  scopes: ['profile', 'credits:read', 'credits:spend'],
  pkce: true,
  cap: '',
  period: 'day',
};

const fieldsOf = (c: OAuthClient): Fields => ({
  name: c.client_name,
  logo: c.logo_uri ?? '',
  redirects: c.redirect_uris.join('\n'),
  type: c.client_type as ClientType,
  scopes: c.scopes as Scope[],
  pkce: c.pkce_required,
  cap: c.default_grant.period_cap ?? '',
  period: c.default_grant.period,
});

/** The body both create and update send (the total cap, not on the form, is kept). */
const bodyOf = (f: Fields, totalCap: string | null = null) => ({
  client_name: f.name.trim(),
  logo_uri: f.logo.trim() || null,
  redirect_uris: f.redirects
    .split('\n')
    .map((u) => u.trim())
    .filter(Boolean),
  scopes: f.scopes,
  pkce_required: f.type === 'public' || f.pkce,
  default_grant: { period: f.period, period_cap: f.cap.trim() || null, total_cap: totalCap },
});

const capOf = (c: OAuthClient) =>
  c.default_grant.period_cap === null
    ? '–'
    : `${c.default_grant.period_cap} / ${c.default_grant.period}`;

/** OAuth clients (`/api/admin/oauth/clients`): the apps users connect through consent. */
export function AdminOAuthClients() {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<OAuthClient | null>(null);
  const [deleting, setDeleting] = useState<OAuthClient | null>(null);
  const clients = useAdminList(
    KEY,
    async () => (await unwrap(hub.GET('/api/admin/oauth/clients'))).items,
  );
  const remove = useRowAction(
    KEY,
    (id: string) =>
      unwrap(
        hub.DELETE('/api/admin/oauth/clients/{client_id}', { params: { path: { client_id: id } } }),
      ),
    () => setDeleting(null),
  );
  return (
    <Stack>
      <CreateClient />
      <DataTable<OAuthClient>
        label={t('admin.sections.oauth-clients')}
        testId="admin-oauth-clients"
        {...clients}
        rowKey={(c) => c.client_id}
        columns={[
          { label: t('admin.name'), render: (c) => c.client_name },
          { label: 'client_id', render: (c) => <Code>{c.client_id}</Code> },
          {
            label: t('admin.clientType'),
            render: (c) => t(`admin.oauth.${c.client_type as ClientType}`),
          },
          {
            label: t('admin.oauth.redirectUris'),
            render: (c) => (
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {c.redirect_uris.join(' ')}
              </Text>
            ),
          },
          { label: t('admin.scopes'), render: (c) => c.scopes.join(', ') },
          {
            label: 'PKCE',
            render: (c) => (c.pkce_required ? t('admin.oauth.yes') : t('admin.oauth.no')),
          },
          { label: t('admin.oauth.defaultCap'), render: capOf, align: 'right' },
          {
            label: '',
            render: (c) => (
              <Group gap={4} wrap="nowrap">
                <Button size="xs" variant="subtle" onClick={() => setEditing(c)}>
                  {t('admin.oauth.edit')}
                </Button>
                <Button
                  size="xs"
                  color="red"
                  variant="subtle"
                  onClick={() => {
                    remove.reset();
                    setDeleting(c);
                  }}
                >
                  {t('admin.oauth.delete')}
                </Button>
              </Group>
            ),
          },
        ]}
      />
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        closeButtonProps={{ 'aria-label': t('common.close') }}
        title={t('admin.oauth.editTitle', { name: editing?.client_name })}
        size="lg"
      >
        {editing && (
          <EditClient key={editing.client_id} current={editing} done={() => setEditing(null)} />
        )}
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        message={t('admin.oauth.confirmDelete', { name: deleting?.client_name })}
        error={remove.error}
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.client_id)}
        confirmLabel={t('admin.oauth.delete')}
      />
    </Stack>
  );
}

function CreateClient() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [created, setCreated] = useState<Schemas['CreatedOAuthClientDto'] | null>(null);
  const save = async (fields: Fields) => {
    setCreated(null);
    const res = await unwrap(
      hub.POST('/api/admin/oauth/clients', {
        body: {
          ...bodyOf(fields),
          client_type: fields.type,
          token_endpoint_auth_method: 'client_secret_post',
        },
      }),
    );
    setCreated(res);
    await client.invalidateQueries({ queryKey: KEY });
  };
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        {t('admin.oauth.create')}
      </Title>
      <ClientForm
        initial={NEW_CLIENT}
        save={save}
        submitLabel={t('admin.create')}
        testId="oauth-create"
      />
      {created?.client_secret && (
        <SecretOnce
          secret={created.client_secret}
          title={t('admin.oauth.secretOnce')}
          help={t('admin.oauth.secretOnceHelp')}
          testId="new-oauth-secret"
        >
          <Text size="sm" mb="xs">
            client_id: <Code data-testid="new-oauth-client-id">{created.client_id}</Code>
          </Text>
        </SecretOnce>
      )}
      {created && !created.client_secret && (
        <Text role="status" mt="md" data-testid="new-oauth-client-id">
          {t('admin.oauth.createdPublic', { id: created.client_id })}
        </Text>
      )}
    </Card>
  );
}

function EditClient(props: { current: OAuthClient; done: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { current } = props;
  const save = async (fields: Fields) => {
    await unwrap(
      hub.PATCH('/api/admin/oauth/clients/{client_id}', {
        params: { path: { client_id: current.client_id } },
        body: {
          ...bodyOf(fields, current.default_grant.total_cap),
          // The typed body requires it (it has a default); send the client's own (ignored for public).
          token_endpoint_auth_method:
            current.token_endpoint_auth_method === 'client_secret_basic'
              ? 'client_secret_basic'
              : 'client_secret_post',
        },
      }),
    );
    await client.invalidateQueries({ queryKey: KEY });
    props.done();
  };
  return (
    <ClientForm
      initial={fieldsOf(current)}
      save={save}
      submitLabel={t('common.save')}
      testId="oauth-edit"
      typeFixed
    />
  );
}

/** One form for a new client and for a change (the kind of client cannot change). */
function ClientForm(props: {
  initial: Fields;
  save: (fields: Fields) => Promise<void>;
  submitLabel: string;
  testId: string;
  typeFixed?: boolean;
}) {
  const { t } = useTranslation();
  const [f, setF] = useState<Fields>(props.initial);
  const form = useServerForm([
    'client_name',
    'logo_uri',
    'redirect_uris',
    'scopes',
    'pkce_required',
    'period_cap',
  ] as const);
  const set = (fields: Partial<Fields>) => setF({ ...f, ...fields });
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const saved = await form.run(() => props.save(f));
    if (saved && !props.typeFixed) setF(props.initial);
  };
  return (
    <form onSubmit={submit} noValidate data-testid={props.testId}>
      <Stack gap="xs">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label={t('admin.name')}
            required
            value={f.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={form.errors.client_name}
          />
          <TextInput
            label={t('admin.oauth.logo')}
            type="url"
            placeholder="https://"
            value={f.logo}
            onChange={(e) => set({ logo: e.currentTarget.value })}
            error={form.errors.logo_uri}
          />
        </SimpleGrid>
        <Textarea
          label={t('admin.oauth.redirectUris')}
          description={t('admin.oauth.redirectUrisHelp')}
          required
          autosize
          minRows={2}
          value={f.redirects}
          onChange={(e) => set({ redirects: e.currentTarget.value })}
          error={form.errors.redirect_uris}
        />
        <Radio.Group
          label={t('admin.clientType')}
          value={f.type}
          onChange={(value) => set({ type: value as ClientType })}
        >
          <Stack gap={4} mt="xs">
            <Radio
              value="confidential"
              label={t('admin.oauth.confidentialHelp')}
              disabled={props.typeFixed}
            />
            <Radio value="public" label={t('admin.oauth.publicHelp')} disabled={props.typeFixed} />
          </Stack>
        </Radio.Group>
        <ScopeCheckboxes
          scopes={SCOPES}
          value={f.scopes}
          onChange={(scopes) => set({ scopes })}
          error={form.errors.scopes}
        />
        <Checkbox
          label={t('admin.oauth.pkce')}
          description={t('admin.oauth.pkceHelp')}
          checked={f.type === 'public' || f.pkce}
          disabled={f.type === 'public'}
          onChange={(e) => set({ pkce: e.currentTarget.checked })}
          error={form.errors.pkce_required}
        />
        <CapFields
          label={t('admin.oauth.defaultCap')}
          cap={f.cap}
          period={f.period}
          error={form.errors.period_cap}
          onChange={set}
        />
        <FormFooter form={form} submitLabel={props.submitLabel} />
      </Stack>
    </form>
  );
}
