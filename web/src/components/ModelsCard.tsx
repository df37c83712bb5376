import { Alert, Card, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useModels } from '../api/credits';
import { formatCredits } from './format';
import { Loading } from './Loading';
import { ScrollTable } from './ScrollTable';

/** The models a user can chat with and their prices per 1k tokens. */
export default function ModelsCard() {
  const { t, i18n } = useTranslation();
  const models = useModels();
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={2} size="h3" mb="sm">
        {t('dashboard.models')}
      </Title>
      {models.isPending ? (
        <Loading />
      ) : models.isError ? (
        <Alert color="red">{models.error.message}</Alert>
      ) : (
        <ScrollTable label={t('dashboard.models')} minWidth={360}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('dashboard.model')}</Table.Th>
                <Table.Th>{t('dashboard.inputPrice')}</Table.Th>
                <Table.Th>{t('dashboard.outputPrice')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {models.data.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    {m.name}
                    <Text size="xs" c="dimmed">
                      {m.provider}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatCredits(m.input_price_per_1k, i18n.language)}</Table.Td>
                  <Table.Td>{formatCredits(m.output_price_per_1k, i18n.language)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Card>
  );
}
