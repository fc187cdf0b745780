-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'manager';
