package com.presencehub.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * openapi.yaml read by a parser that is not Vert.x's (swagger-parser): no error or warning, every
 * operation the hub routes is there, every operation documents the errors the hub answers.
 */
@DisplayName("openapi.yaml is a valid OpenAPI 3.1 document (swagger-parser) that describes what the hub serves")
class OpenApiDocumentTest {

  private static SwaggerParseResult parse() throws IOException {
    String text = Files.readString(Path.of("src/main/resources/openapi.yaml"), StandardCharsets.UTF_8);
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);
    return new OpenAPIV3Parser().readContents(text, null, options);
  }

  @Test
  @DisplayName("parses with no message at all, as 3.1")
  void parsesCleanly() throws IOException {
    SwaggerParseResult result = parse();
    List<String> messages = result.getMessages() == null ? List.of() : result.getMessages();
    assertEquals(List.of(), messages, "swagger-parser messages");
    OpenAPI api = result.getOpenAPI();
    assertNotNull(api);
    assertTrue(api.getOpenapi().startsWith("3.1"), api.getOpenapi());
    assertTrue(api.getServers().get(0).getUrl().endsWith(HttpApi.BASE));
  }

  @Test
  @DisplayName("has the five operations of §8, each with its errors documented")
  void operations() throws IOException {
    OpenAPI api = parse().getOpenAPI();
    Set<String> ids = new TreeSet<>();
    for (Map.Entry<String, PathItem> p : api.getPaths().entrySet()) {
      for (Map.Entry<PathItem.HttpMethod, Operation> o : p.getValue().readOperationsMap().entrySet()) {
        Operation op = o.getValue();
        ids.add(op.getOperationId());
        // The route name the hub's metrics use is the operationId.
        assertEquals(op.getOperationId(), HttpApi.route(HttpApi.BASE + p.getKey().replace("{tenant}", "t").replace("{user}", "u")));
        for (String status : List.of("200", "400", "401", "403", "429")) {
          assertTrue(op.getResponses().containsKey(status), op.getOperationId() + " documents " + status);
        }
      }
    }
    assertEquals(new TreeSet<>(List.of("query", "reachable", "roster", "deliver", "changes")), ids);
    assertTrue(api.getPaths().get("/tenants/{tenant}/deliveries").getPost().getResponses().containsKey("404"));
    assertNotNull(api.getPaths().get("/tenants/{tenant}/changes").getGet().getResponses().get("200").getContent()
        .get("text/event-stream"));
    List<String> schemes = new ArrayList<>(api.getComponents().getSecuritySchemes().keySet());
    assertEquals(List.of("serviceToken"), schemes);
  }
}
