-- CreateTable
CREATE TABLE "__name__" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "__name___pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "__name___owner_id_created_at_id_idx" ON "__name__"("owner_id", "created_at", "id");
