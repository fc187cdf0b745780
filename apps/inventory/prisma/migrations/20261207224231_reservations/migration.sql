-- CreateEnum
CREATE TYPE "reservation_status" AS ENUM ('active', 'released', 'fulfilled', 'expired');

-- AlterEnum
ALTER TYPE "movement_type" ADD VALUE 'fulfilment';

-- AlterTable
ALTER TABLE "stock_movements" ADD COLUMN     "reservation_id" UUID;

-- CreateTable
CREATE TABLE "reservations" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "location_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" "reservation_status" NOT NULL DEFAULT 'active',
    "reference" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "created_by" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reservations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reservations_product_id_location_id_status_expires_at_idx" ON "reservations"("product_id", "location_id", "status", "expires_at");

-- CreateIndex
CREATE INDEX "reservations_status_expires_at_idx" ON "reservations"("status", "expires_at");

-- AddForeignKey
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_location_id_fkey" FOREIGN KEY ("location_id") REFERENCES "locations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written (Prisma does not model CHECK constraints): a reservation holds something.
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_quantity_check" CHECK ("quantity" > 0);
