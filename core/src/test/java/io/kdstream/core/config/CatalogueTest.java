package io.kdstream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The settings catalogue: every row has a handle code reads it through, and every handle names a row. */
class CatalogueTest {
    @Test
    void shouldHaveAHandleForEveryRowAndARowForEveryHandle() throws IllegalAccessException {
        Set<String> handled = new TreeSet<>();
        for (Class<?> c : List.of(Keys.class)) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType() == Key.class && Modifier.isStatic(f.getModifiers())) {
                    assertTrue(handled.add(((Key) f.get(null)).name()), "one handle per key: " + f.getName());
                }
            }
        }
        Set<String> rows = new TreeSet<>();
        Catalogue.all().forEach(k -> rows.add(k.name()));
        assertEquals(rows, handled);
    }

    @Test
    void shouldDeclareDefaultsThatParseAsTheirType() {
        Settings empty = Settings.of(java.util.Map.of());
        for (Key k : Catalogue.all()) {
            if (k.fallback() == null || k.fallback().isEmpty()) {
                continue;
            }
            switch (k.type()) {
                case INTEGER -> empty.longValue(k);
                case NUMBER -> empty.real(k);
                case BOOLEAN -> empty.bool(k);
                default -> empty.string(k);
            }
        }
        assertThrows(IllegalStateException.class, () -> Catalogue.key("no.such.setting"));
    }
}
