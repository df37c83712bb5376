import { Stack, Tabs, Title } from '@mantine/core';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { adminEn } from '../i18n/admin-en';
import { adminTh } from '../i18n/admin-th';
import { AdminAudit } from './AdminAudit';
import { AdminGrants } from './AdminGrants';
import { AdminKeys } from './AdminKeys';
import { AdminModels } from './AdminModels';
import { AdminOAuthClients } from './AdminOAuthClients';
import { AdminPromos } from './AdminPromos';
import { AdminSystem } from './AdminSystem';
import { AdminTransactions } from './AdminTransactions';
import { AdminUsage } from './AdminUsage';
import { AdminUserPage, AdminUsersList } from './AdminUsers';

const SECTIONS = [
  'users',
  'transactions',
  'promo-codes',
  'keys',
  'grants',
  'oauth-clients',
  'models',
  'usage',
  'audit',
  'system',
];

// The console's strings come with its code: the pages every user loads do not carry them.
i18next.addResourceBundle('en', 'translation', { admin: adminEn }, true, true);
i18next.addResourceBundle('th', 'translation', { admin: adminTh }, true, true);

/** The admin console: loaded only for admins (its bundle is a separate chunk). */
export default function AdminApp() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const section = location.pathname.split('/')[2] || 'users';
  return (
    <Stack>
      <Title order={1}>{t('nav.admin')}</Title>
      <Tabs value={section} onChange={(value) => value && navigate(`/admin/${value}`)}>
        <Tabs.List style={{ overflowX: 'auto', flexWrap: 'nowrap' }}>
          {SECTIONS.map((s) => (
            <Tabs.Tab key={s} value={s}>
              {t(`admin.sections.${s}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={<AdminUsersList />} />
        <Route path="users/:id" element={<AdminUserPage />} />
        <Route path="transactions" element={<AdminTransactions />} />
        <Route path="promo-codes" element={<AdminPromos />} />
        <Route path="keys" element={<AdminKeys />} />
        <Route path="grants" element={<AdminGrants />} />
        <Route path="oauth-clients" element={<AdminOAuthClients />} />
        <Route path="models" element={<AdminModels />} />
        <Route path="usage" element={<AdminUsage />} />
        <Route path="audit" element={<AdminAudit />} />
        <Route path="system" element={<AdminSystem />} />
      </Routes>
    </Stack>
  );
}
