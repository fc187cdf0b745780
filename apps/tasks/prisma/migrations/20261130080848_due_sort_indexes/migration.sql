-- The due sort puts tasks without a due date last in both directions. ORDER BY due_at DESC NULLS LAST
-- cannot be read off a (due_at) btree backwards (that gives NULLS FIRST), so every descending page sorted
-- the whole project. Expression indexes make "no due date" an ordinary value at the right end instead:
-- 'infinity' for ascending, '-infinity' read backwards for descending. Prisma cannot declare them
-- (see the Task model in schema.prisma), and the list SQL uses exactly these expressions.

-- DropIndex
DROP INDEX "tasks_assignee_id_due_at_id_idx";

-- DropIndex
DROP INDEX "tasks_project_id_due_at_id_idx";

-- CreateIndex
CREATE INDEX "tasks_project_due_asc_idx" ON "tasks"("project_id", (COALESCE("due_at", 'infinity'::timestamptz)), "id");
CREATE INDEX "tasks_project_due_desc_idx" ON "tasks"("project_id", (COALESCE("due_at", '-infinity'::timestamptz)), "id");
CREATE INDEX "tasks_assignee_due_asc_idx" ON "tasks"("assignee_id", (COALESCE("due_at", 'infinity'::timestamptz)), "id");
CREATE INDEX "tasks_assignee_due_desc_idx" ON "tasks"("assignee_id", (COALESCE("due_at", '-infinity'::timestamptz)), "id");
