-- 0005 review comment resolver is bookkeeping: handing a deleted user's resolutions to the ghost
-- account does not make a review comment "recently updated".
--
-- DESIGN.md section 4, flow 6 moves every "who did it" column of a deleted user to the ghost.
-- set_updated_at() ignores the columns named as its trigger arguments, and every such column of
-- the schema was named except review_comments.resolved_by_id. Resolving or unresolving a thread
-- still moves updated_at: it changes resolved_at too.

SET client_min_messages = warning;

DROP TRIGGER review_comments_set_updated_at ON review_comments;
CREATE TRIGGER review_comments_set_updated_at BEFORE UPDATE ON review_comments
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('author_id', 'resolved_by_id');
