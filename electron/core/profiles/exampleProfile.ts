import { DEFAULT_AWS_REGION, EXAMPLE_PROFILE_ID, ProfileSchema, type Profile } from '../../../shared/model/profile';

/**
 * What a new user sees first: the common case (a bastion in eu-west-2, a MySQL
 * target on 13306 and a PostgreSQL target on 15432), to edit rather than invent.
 */
export function exampleProfile(): Profile {
  return ProfileSchema.parse({
    id: EXAMPLE_PROFILE_ID,
    name: 'Example: production (edit me)',
    jumpHost: {
      host: 'bastion.example.com',
      port: 22,
      user: 'ec2-user',
      auth: { kind: 'key', keyPath: '~/.ssh/jumpgate_ed25519' },
      via: [],
    },
    aws: { region: DEFAULT_AWS_REGION },
    targets: [
      {
        id: 'mysql',
        name: 'MySQL (RDS)',
        engine: 'mysql',
        remote: { kind: 'host', host: 'prod-mysql.abcdefghijkl.eu-west-2.rds.amazonaws.com', port: 3306 },
        localPort: 13306,
        database: 'app',
        username: 'admin',
        secret: { kind: 'rds-managed' },
      },
      {
        id: 'postgres',
        name: 'PostgreSQL (RDS)',
        engine: 'postgres',
        remote: { kind: 'host', host: 'prod-pg.abcdefghijkl.eu-west-2.rds.amazonaws.com', port: 5432 },
        localPort: 15432,
        database: 'app',
        username: 'postgres',
        secret: { kind: 'rds-managed' },
      },
    ],
  });
}
