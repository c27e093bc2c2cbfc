-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Views as MySQL 8's mysqldump writes them: get_view_structure() in
-- client/mysqldump.cc (mysql/mysql-server 0430413c) takes SHOW CREATE TABLE
-- of the view, which always starts `CREATE ALGORITHM=…` (append_algorithm()
-- in sql/sql_show.cc, `UNDEFINED` included), cuts it after the algorithm into
-- a `/*!50013 DEFINER=… SQL SECURITY … */` line and before `WITH … CHECK
-- OPTION` into a `/*!50002 … */` line, and wraps it in `/*!50001 … */;`.
-- Earlier, a temporary view stands in for each view (`Temporary view
-- structure`), as MySQL 8 writes it.

CREATE TABLE `t` (
  `a` int DEFAULT NULL,
  `b` int DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;

--
-- Temporary view structure for view `v_merge`
--

DROP TABLE IF EXISTS `v_merge`;
/*!50001 DROP VIEW IF EXISTS `v_merge`*/;
SET @saved_cs_client     = @@character_set_client;
/*!50503 SET character_set_client = utf8mb4 */;
/*!50001 CREATE VIEW `v_merge` AS SELECT 
 1 AS `a`*/;
SET character_set_client = @saved_cs_client;

--
-- Final view structure for view `v_merge`
--

/*!50001 DROP VIEW IF EXISTS `v_merge`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET @saved_cs_results         = @@character_set_results */;
/*!50001 SET @saved_col_connection     = @@collation_connection */;
/*!50001 SET character_set_client      = utf8mb4 */;
/*!50001 SET character_set_results     = utf8mb4 */;
/*!50001 SET collation_connection      = utf8mb4_0900_ai_ci */;
/*!50001 CREATE ALGORITHM=MERGE */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
/*!50001 VIEW `v_merge` AS select `t`.`a` AS `a` from `t` where (`t`.`a` > 0) */
/*!50002 WITH CASCADED CHECK OPTION */;
/*!50001 SET character_set_client      = @saved_cs_client */;
/*!50001 SET character_set_results     = @saved_cs_results */;
/*!50001 SET collation_connection      = @saved_col_connection */;

--
-- Final view structure for view `v_temp`
--

/*!50001 DROP VIEW IF EXISTS `v_temp`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET @saved_cs_results         = @@character_set_results */;
/*!50001 SET @saved_col_connection     = @@collation_connection */;
/*!50001 SET character_set_client      = utf8mb4 */;
/*!50001 SET character_set_results     = utf8mb4 */;
/*!50001 SET collation_connection      = utf8mb4_0900_ai_ci */;
/*!50001 CREATE ALGORITHM=TEMPTABLE */
/*!50013 DEFINER=`app`@`%` SQL SECURITY INVOKER */
/*!50001 VIEW `v_temp` AS select `t`.`b` AS `b` from `t` */;
/*!50001 SET character_set_client      = @saved_cs_client */;
/*!50001 SET character_set_results     = @saved_cs_results */;
/*!50001 SET collation_connection      = @saved_col_connection */;

--
-- Final view structure for view `v_undefined`
--

/*!50001 DROP VIEW IF EXISTS `v_undefined`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET @saved_cs_results         = @@character_set_results */;
/*!50001 SET @saved_col_connection     = @@collation_connection */;
/*!50001 SET character_set_client      = utf8mb4 */;
/*!50001 SET character_set_results     = utf8mb4 */;
/*!50001 SET collation_connection      = utf8mb4_0900_ai_ci */;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
/*!50001 VIEW `v_undefined` AS select `t`.`a` AS `a`,`t`.`b` AS `b` from `t` */
/*!50002 WITH LOCAL CHECK OPTION */;
/*!50001 SET character_set_client      = @saved_cs_client */;
/*!50001 SET character_set_results     = @saved_cs_results */;
/*!50001 SET collation_connection      = @saved_col_connection */;
