import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './migrations';

/** PostgreSQL through TypeORM; pending migrations are applied at start-up under an advisory lock. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        if (!config.database.url) {
          throw new Error(
            'database.url must be resolved (embedded or DATABASE_URL) before the app starts',
          );
        }
        return buildDataSourceOptions(config.database.url, config.database.poolSize);
      },
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
