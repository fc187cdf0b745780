import { servicePrismaConfig } from '@mini/db/prisma-config';

export default servicePrismaConfig();
