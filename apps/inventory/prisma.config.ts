import { servicePrismaConfig } from '@mini/dev-db/prisma-config';

export default servicePrismaConfig();
