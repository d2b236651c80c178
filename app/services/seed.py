"""Demo data: bulk-load realistic customers (with cards, tax identifiers and a few tax
certificates) into the local store, fast enough for a million customers in under a minute.

Rows are generated as plain tuples (for a big load in two worker processes, so that Python
building rows and the database storing them share both cores) and written with the driver
directly, in one transaction: all or nothing.

* SQLite: ``executemany``. A big load replaces the per-row triggers that feed the FTS index
  with one ``INSERT … SELECT`` per batch, and puts the triggers back afterwards exactly as
  the database had stored them.
* PostgreSQL: ``COPY`` (``FREEZE`` into tables that were empty). A big load drops the
  customers table's secondary indexes (the trigram GIN index among them) and the foreign
  keys that point at it, then recreates them from the definitions PostgreSQL reports, so
  they stay exactly what the migrations made.

Both run ANALYZE afterwards.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import multiprocessing
import random
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from .local.store import search_text_for

BATCH_SIZE = 20_000
# A "big" load: at least this many customers (and, on PostgreSQL, at least as many as the
# table already holds). Smaller ones simply go in through the indexes and triggers.
BULK_MIN_ROWS = 20_000
# From this many customers on, worker processes generate rows while this one writes them.
PARALLEL_MIN_ROWS = 50_000
SPAN = dt.timedelta(days=3 * 365)

CUSTOMER_COLUMNS = (
    "id",
    "email",
    "email_lower",
    "type",
    "locale",
    "enabled",
    "request_to_be_forgotten",
    "default_source_id",
    "live_mode",
    "ship_name",
    "ship_phone",
    "ship_email",
    "ship_organization",
    "addr_line1",
    "addr_line2",
    "addr_city",
    "addr_postal_code",
    "addr_state",
    "addr_country",
    "addr_neighborhood",
    "addr_division",
    "addr_phonetic_name",
    "metadata",
    "search_text",
    "created_time",
    "updated_time",
    "version",
)
SOURCE_COLUMNS = (
    "id",
    "customer_id",
    "type",
    "state",
    "reusable",
    "brand",
    "last_four",
    "expiration_month",
    "expiration_year",
    "currency",
    "owner_name",
    "owner_email",
    "created_time",
)
TAX_ID_COLUMNS = ("id", "customer_id", "type", "value", "state", "created_time", "updated_time")
FILE_COLUMNS = ("id", "file_name", "purpose", "type", "size", "content", "created_time")
CERTIFICATE_COLUMNS = (
    "customer_id",
    "company_name",
    "tax_authority",
    "start_date",
    "end_date",
    "file_id",
    "created_time",
)

# Booleans and small integers are generated as the strings "0"/"1": PostgreSQL's COPY reads
# them as booleans/integers and SQLite's column affinity stores them as integers.
_T, _F = "1", "0"


# -- reference data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Culture:
    male: tuple[tuple[str, ...], ...]
    female: tuple[tuple[str, ...], ...]
    last: tuple[tuple[str, ...], ...]
    # East Asian cultures carry (native, romanised[, katakana]) names.
    native_space: bool = False
    feminine_surname: Callable[[str], str] | None = None
    double_surname: float = 0.0


def _names(text: str) -> tuple[tuple[str, ...], ...]:
    """'a, b, c' -> (('a',), ('b',), ...); 'x/y/z; ...' -> (('x','y','z'), ...)."""
    if "/" in text:
        return tuple(tuple(p.strip() for p in item.split("/")) for item in text.split(";"))
    return tuple((n.strip(),) for n in text.split(","))


def _polish_feminine(last: str) -> str:
    if last.endswith(("ski", "cki", "dzki")):
        return last[:-1] + "a"
    return last


def _czech_feminine(last: str) -> str:
    if last.endswith("ý"):
        return last[:-1] + "á"
    if last.endswith("a"):
        return last[:-1] + "ová"
    if last.endswith("ek"):
        return last[:-2] + "ková"
    return last + "ová"


CULTURES: dict[str, Culture] = {
    "en": Culture(
        _names(
            "James, John, Robert, Michael, William, David, Richard, Joseph, Thomas, Charles, "
            "Christopher, Daniel, Matthew, Anthony, Mark, Steven, Andrew, Joshua, Kevin, Brian, "
            "Ethan, Noah, Liam, Jacob, Oliver, Harry, George, Jack, Samuel, Benjamin, Ryan, "
            "Tyler, Nathan, Connor, Owen, Callum, Dylan, Logan"
        ),
        _names(
            "Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, "
            "Nancy, Lisa, Betty, Margaret, Sandra, Ashley, Emily, Olivia, Emma, Ava, Sophia, "
            "Madison, Amelia, Charlotte, Isla, Grace, Chloe, Hannah, Megan, Rachel, Lauren, "
            "Abigail, Ella, Zoe, Lily, Victoria, Natalie, Heather"
        ),
        _names(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
            "Thomas, Moore, Jackson, Martin, Lee, Thompson, White, Harris, Clark, Lewis, "
            "Robinson, Walker, Young, Allen, King, Wright, Scott, Hill, Green, Adams, Baker, "
            "Nelson, Carter, Mitchell, Roberts, Turner, Phillips, Campbell, Parker, Evans, "
            "Edwards, Collins, Stewart, Morris, Murphy, Cook, Rogers, Patel, O'Brien, Hughes, "
            "Wood, Walsh, Byrne, Kelly, McDonald, Fraser, Bennett, Reed, Sullivan, Brooks, "
            "Fitzgerald, Henderson, Coleman, Jenkins, Perry, Russell, Griffin, Hayes, Bryant"
        ),
    ),
    "de": Culture(
        _names(
            "Lukas, Leon, Finn, Jonas, Paul, Felix, Maximilian, Elias, Ben, Jürgen, Uwe, "
            "Klaus, Stefan, Andreas, Thomas, Wolfgang, Frank, Jörg, Günter, Tobias, Matthias, "
            "Florian, Sebastian, Dieter, Horst, Markus, Niklas, Moritz, Karl-Heinz, Sören"
        ),
        _names(
            "Mia, Emma, Hannah, Sophia, Lea, Lena, Marie, Anna, Laura, Julia, Katharina, "
            "Sabine, Petra, Monika, Ursula, Birgit, Helga, Annika, Claudia, Susanne, Brigitte, "
            "Franziska, Johanna, Greta, Jana, Nicole, Anja, Heike, Lisa-Marie, Jutta"
        ),
        _names(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, "
            "Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, "
            "Zimmermann, Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Schmitz, "
            "Krause, Meier, Lehmann, Schmid, Schulze, Maier, Köhler, Herrmann, König, Walter, "
            "Mayer, Huber, Kaiser, Fuchs, Peters, Lang, Scholz, Möller, Weiß, Jung, Hahn, "
            "Vogel, Friedrich, Keller, Günther, Berger, Winkler, Roth, Beck, Lorenz, Baumann, "
            "Franke, Albrecht, Gruber, Steiner, Brunner, Moser, Egger, Pichler"
        ),
    ),
    "fr": Culture(
        _names(
            "Jean, Pierre, Michel, Philippe, Nicolas, Julien, Sébastien, Hugo, Louis, "
            "Gabriel, Arthur, Jules, Lucas, Théo, Mathieu, Antoine, Benoît, Raphaël, Olivier, "
            "Christophe, Thierry, Laurent, François, Maxime, Romain, Guillaume, Étienne"
        ),
        _names(
            "Marie, Nathalie, Isabelle, Sylvie, Catherine, Françoise, Camille, Léa, Manon, "
            "Chloé, Inès, Émilie, Céline, Aurélie, Hélène, Gaëlle, Amélie, Zoé, Sophie, "
            "Valérie, Sandrine, Stéphanie, Juliette, Margaux, Océane, Élodie"
        ),
        _names(
            "Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent, "
            "Simon, Michel, Lefèvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, "
            "Bonnet, Dupont, Lambert, Fontaine, Rousseau, Vincent, Muller, Lefebvre, Faure, "
            "André, Mercier, Blanc, Guérin, Boyer, Garnier, Chevalier, François, Legrand, "
            "Gauthier, Perrin, Dumont, Lemaire, Beaumont, Rivière, Joly, Marchand, Duval, "
            "Lacroix, Giraud, Brunet, Schmitt, Colin, Picard, Caron"
        ),
    ),
    "nl": Culture(
        _names(
            "Daan, Sem, Lucas, Levi, Finn, Milan, Bram, Jesse, Thijs, Ruben, Jeroen, Pieter, "
            "Joost, Maarten, Willem, Kees, Joris, Bas, Sander, Wouter, Stijn, Jan, Koen, Arjen"
        ),
        _names(
            "Emma, Julia, Sophie, Tess, Fenna, Anna, Sanne, Lotte, Femke, Eva, Anouk, "
            "Marloes, Inge, Saskia, Esther, Ilse, Noor, Roos, Lieke, Mieke, Annelies, Els"
        ),
        _names(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, "
            "Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, "
            "Dekker, Brouwer, de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, "
            "Kok, Jacobs, de Haan, Vermeulen, Peeters, Maes, Claes, Willems, Goossens, "
            "Wouters, De Smet, Verhoeven, Huisman, Kuipers, Timmermans, Veenstra"
        ),
    ),
    "it": Culture(
        _names(
            "Giuseppe, Giovanni, Antonio, Mario, Luigi, Francesco, Marco, Alessandro, Andrea, "
            "Matteo, Lorenzo, Leonardo, Luca, Davide, Stefano, Riccardo, Simone, Fabio, "
            "Paolo, Roberto, Salvatore, Vincenzo, Tommaso, Gabriele"
        ),
        _names(
            "Sofia, Giulia, Aurora, Alice, Ginevra, Emma, Giorgia, Chiara, Francesca, "
            "Federica, Valentina, Elena, Paola, Simona, Roberta, Martina, Beatrice, Anna, "
            "Alessia, Serena, Silvia, Laura, Rosa, Caterina"
        ),
        _names(
            "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, "
            "Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, "
            "Barbieri, Fontana, Santoro, Mariani, Rinaldi, Caruso, Ferrara, Galli, Martini, "
            "Leone, Longo, Gentile, Martinelli, Vitale, Lombardo, Serra, Coppola, De Santis, "
            "D'Angelo, Marchetti, Parisi, Villa, Conte, Ferraro, Fabbri, Bianco"
        ),
    ),
    "es": Culture(
        _names(
            "Antonio, Manuel, José, Francisco, David, Juan, Javier, Daniel, Carlos, Jesús, "
            "Alejandro, Miguel, Pablo, Sergio, Raúl, Álvaro, Iñigo, Jorge, Alberto, Fernando, "
            "Diego, Adrián, Rubén, Mateo, Luis, Santiago"
        ),
        _names(
            "Lucía, María, Carmen, Ana, Laura, Isabel, Marta, Elena, Paula, Sara, Cristina, "
            "Sofía, Martina, Valeria, Alba, Nuria, Begoña, Pilar, Rocío, Raquel, Silvia, "
            "Andrea, Irene, Claudia, Julia, Noelia"
        ),
        _names(
            "García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, "
            "Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, "
            "Gutiérrez, Navarro, Torres, Domínguez, Vázquez, Ramos, Gil, Ramírez, Serrano, "
            "Blanco, Molina, Morales, Suárez, Ortega, Delgado, Castro, Ortiz, Rubio, Marín, "
            "Sanz, Iglesias, Núñez, Medina, Garrido, Cortés, Castillo, Santos, Lozano, Guerrero"
        ),
        double_surname=0.3,
    ),
    "pt": Culture(
        _names(
            "João, José, Antônio, Francisco, Carlos, Paulo, Pedro, Lucas, Luiz, Marcos, "
            "Gabriel, Rafael, Miguel, Arthur, Heitor, Thiago, Rodrigo, Gustavo, Bruno, "
            "Felipe, Matheus, Leonardo, Eduardo, Vinícius, João Pedro"
        ),
        _names(
            "Maria, Ana, Francisca, Antônia, Adriana, Juliana, Márcia, Fernanda, Patrícia, "
            "Aline, Helena, Alice, Laura, Valentina, Beatriz, Larissa, Camila, Mariana, "
            "Gabriela, Letícia, Vitória, Luana, Bruna, Maria Eduarda, Ana Clara"
        ),
        _names(
            "Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, "
            "Gomes, Costa, Ribeiro, Martins, Carvalho, Almeida, Lopes, Soares, Fernandes, "
            "Vieira, Barbosa, Rocha, Dias, Nascimento, Andrade, Moreira, Nunes, Marques, "
            "Machado, Mendes, Freitas, Cardoso, Ramos, Gonçalves, Santana, Teixeira, Araújo, "
            "Monteiro, Moura, Batista, Cavalcanti"
        ),
        double_surname=0.35,
    ),
    "sv": Culture(
        _names(
            "Erik, Lars, Karl, Anders, Johan, Per, Nils, Lennart, Oskar, Axel, Hugo, Björn, "
            "Sven, Gunnar, Magnus, Fredrik, Mikael, Henrik, Gustav, Viktor"
        ),
        _names(
            "Emma, Maja, Alice, Elsa, Astrid, Ingrid, Karin, Kerstin, Linnéa, Saga, Ebba, "
            "Anna, Eva, Birgitta, Kristina, Sara, Frida, Wilma, Agnes, Malin"
        ),
        _names(
            "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, "
            "Svensson, Gustafsson, Pettersson, Jonsson, Jansson, Hansson, Bengtsson, "
            "Lindberg, Lindqvist, Berg, Lundgren, Bergström, Åberg, Sjöberg, Holm, Ekström, "
            "Lindström, Axelsson, Forsberg, Sandberg"
        ),
    ),
    "da": Culture(
        _names(
            "Mads, Frederik, Rasmus, Mikkel, Søren, Jens, Niels, Emil, Magnus, Kasper, "
            "Anders, Christian, Jesper, Morten, Henrik, Lars"
        ),
        _names(
            "Anne, Mette, Kirsten, Hanne, Ida, Freja, Sofie, Mathilde, Camilla, Louise, "
            "Maja, Karen, Line, Signe, Astrid, Julie"
        ),
        _names(
            "Nielsen, Jensen, Hansen, Pedersen, Andersen, Christensen, Larsen, Sørensen, "
            "Rasmussen, Jørgensen, Petersen, Madsen, Kristensen, Olsen, Thomsen, Poulsen, "
            "Møller, Mortensen, Knudsen, Jakobsen, Holm, Lund"
        ),
    ),
    "no": Culture(
        _names(
            "Ole, Lars, Jan, Per, Bjørn, Kjell, Knut, Arne, Jakob, Filip, Henrik, Sindre, "
            "Magnus, Eirik, Håkon, Even"
        ),
        _names(
            "Ingrid, Kari, Anne, Marit, Liv, Nora, Emma, Sofie, Ingeborg, Silje, Hanne, "
            "Ragnhild, Tuva, Sigrid, Solveig, Astrid"
        ),
        _names(
            "Hansen, Johansen, Olsen, Larsen, Andersen, Pedersen, Nilsen, Kristiansen, "
            "Jensen, Karlsen, Johnsen, Pettersen, Eriksen, Berg, Haugen, Hagen, Johannessen, "
            "Andreassen, Jacobsen, Dahl, Halvorsen, Lie, Solberg, Strand, Bakken, Moen"
        ),
    ),
    "fi": Culture(
        _names(
            "Juhani, Johannes, Mikael, Matti, Timo, Jukka, Kari, Antti, Mikko, Pekka, Eino, "
            "Väinö, Leevi, Onni, Ville, Janne, Lauri, Teemu"
        ),
        _names(
            "Tuula, Anne, Päivi, Sari, Aino, Helmi, Aada, Emilia, Sanna, Jenni, Maria, "
            "Johanna, Kaisa, Riikka, Satu, Minna, Elina, Laura"
        ),
        _names(
            "Korhonen, Virtanen, Mäkinen, Nieminen, Mäkelä, Hämäläinen, Laine, Heikkinen, "
            "Koskinen, Järvinen, Lehtonen, Lehtinen, Saarinen, Salminen, Heinonen, Niemi, "
            "Heikkilä, Kinnunen, Salonen, Turunen, Salo, Laitinen, Tuominen, Rantanen"
        ),
    ),
    "pl": Culture(
        _names(
            "Piotr, Krzysztof, Andrzej, Tomasz, Paweł, Jan, Michał, Marcin, Jakub, Adam, "
            "Łukasz, Wojciech, Grzegorz, Mateusz, Kamil, Bartosz, Dariusz, Rafał"
        ),
        _names(
            "Anna, Maria, Katarzyna, Małgorzata, Agnieszka, Barbara, Ewa, Krystyna, "
            "Magdalena, Zofia, Zuzanna, Julia, Joanna, Aleksandra, Monika, Natalia, "
            "Dorota, Beata"
        ),
        _names(
            "Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, "
            "Zieliński, Szymański, Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur, "
            "Kwiatkowski, Krawczyk, Piotrowski, Grabowski, Nowakowski, Pawłowski, Michalski, "
            "Nowicki, Adamczyk, Dudek, Zając, Wieczorek, Jabłoński, Król, Majewski"
        ),
        feminine_surname=_polish_feminine,
    ),
    "cs": Culture(
        _names(
            "Jiří, Jan, Petr, Josef, Pavel, Martin, Tomáš, Jaroslav, Miroslav, Zdeněk, "
            "Václav, Michal, Jakub, Lukáš, Ondřej, David"
        ),
        _names(
            "Marie, Jana, Eva, Hana, Anna, Lenka, Kateřina, Věra, Lucie, Alena, Petra, "
            "Tereza, Veronika, Michaela, Zuzana, Markéta"
        ),
        _names(
            "Novák, Svoboda, Novotný, Dvořák, Černý, Procházka, Kučera, Veselý, Horák, "
            "Němec, Marek, Pospíšil, Pokorný, Hájek, Král, Jelínek, Růžička, Beneš, Fiala, "
            "Sedláček, Doležal, Zeman, Kolář, Navrátil"
        ),
        feminine_surname=_czech_feminine,
    ),
    "ro": Culture(
        _names(
            "Andrei, Alexandru, Ion, Mihai, Gheorghe, Constantin, Vasile, Ștefan, Florin, "
            "Adrian, Cristian, Bogdan, Răzvan, Ionuț, Marius, Sorin"
        ),
        _names(
            "Maria, Elena, Ioana, Andreea, Mihaela, Ana, Cristina, Alexandra, Gabriela, "
            "Daniela, Ramona, Irina, Alina, Roxana, Simona, Larisa"
        ),
        _names(
            "Popescu, Popa, Pop, Radu, Dumitru, Stan, Stoica, Gheorghe, Matei, Ciobanu, "
            "Ionescu, Rusu, Munteanu, Constantin, Dinu, Lazăr, Mihai, Moldovan, Șerban, "
            "Tudor, Georgescu, Florea, Marin, Nistor"
        ),
    ),
    "ja": Culture(
        _names(
            "太郎/Taro/タロウ; 健太/Kenta/ケンタ; 翔太/Shota/ショウタ; 大輔/Daisuke/ダイスケ; "
            "拓也/Takuya/タクヤ; 直樹/Naoki/ナオキ; 浩/Hiroshi/ヒロシ; 誠/Makoto/マコト; "
            "蓮/Ren/レン; 悠真/Yuma/ユウマ; 陽翔/Haruto/ハルト; 健一/Kenichi/ケンイチ; "
            "和也/Kazuya/カズヤ; 隆/Takashi/タカシ; 大樹/Daiki/ダイキ; 翼/Tsubasa/ツバサ"
        ),
        _names(
            "花子/Hanako/ハナコ; 陽子/Yoko/ヨウコ; 美咲/Misaki/ミサキ; さくら/Sakura/サクラ; "
            "結衣/Yui/ユイ; 愛/Ai/アイ; 由美/Yumi/ユミ; 恵子/Keiko/ケイコ; 葵/Aoi/アオイ; "
            "陽菜/Hina/ヒナ; 直子/Naoko/ナオコ; 真由美/Mayumi/マユミ; 彩/Aya/アヤ; "
            "千尋/Chihiro/チヒロ; 美穂/Miho/ミホ; 明美/Akemi/アケミ"
        ),
        _names(
            "佐藤/Sato/サトウ; 鈴木/Suzuki/スズキ; 高橋/Takahashi/タカハシ; 田中/Tanaka/タナカ; "
            "伊藤/Ito/イトウ; 渡辺/Watanabe/ワタナベ; 山本/Yamamoto/ヤマモト; "
            "中村/Nakamura/ナカムラ; 小林/Kobayashi/コバヤシ; 加藤/Kato/カトウ; "
            "吉田/Yoshida/ヨシダ; 山田/Yamada/ヤマダ; 佐々木/Sasaki/ササキ; "
            "山口/Yamaguchi/ヤマグチ; 松本/Matsumoto/マツモト; 井上/Inoue/イノウエ; "
            "木村/Kimura/キムラ; 林/Hayashi/ハヤシ; 斎藤/Saito/サイトウ; 清水/Shimizu/シミズ; "
            "森/Mori/モリ; 池田/Ikeda/イケダ; 橋本/Hashimoto/ハシモト; 石川/Ishikawa/イシカワ; "
            "藤田/Fujita/フジタ; 岡田/Okada/オカダ; 前田/Maeda/マエダ; 長谷川/Hasegawa/ハセガワ"
        ),
        native_space=True,
    ),
    "zh": Culture(
        _names(
            "伟/Wei; 强/Qiang; 磊/Lei; 军/Jun; 洋/Yang; 勇/Yong; 杰/Jie; 涛/Tao; 明/Ming; "
            "超/Chao; 浩然/Haoran; 宇轩/Yuxuan; 俊杰/Junjie; 建华/Jianhua; 志强/Zhiqiang"
        ),
        _names(
            "芳/Fang; 娜/Na; 秀英/Xiuying; 敏/Min; 静/Jing; 丽/Li; 艳/Yan; 娟/Juan; "
            "秀兰/Xiulan; 霞/Xia; 子涵/Zihan; 欣怡/Xinyi; 婷婷/Tingting; 雪/Xue; 慧/Hui"
        ),
        _names(
            "王/Wang; 李/Li; 张/Zhang; 刘/Liu; 陈/Chen; 杨/Yang; 黄/Huang; 赵/Zhao; 吴/Wu; "
            "周/Zhou; 徐/Xu; 孙/Sun; 马/Ma; 朱/Zhu; 胡/Hu; 郭/Guo; 何/He; 林/Lin; 高/Gao; "
            "罗/Luo; 郑/Zheng; 梁/Liang; 谢/Xie; 宋/Song; 唐/Tang"
        ),
    ),
    "tw": Culture(
        _names(
            "志明/Chih-ming; 俊傑/Chun-chieh; 建宏/Chien-hung; 家豪/Chia-hao; "
            "宗翰/Tsung-han; 承恩/Cheng-en; 冠宇/Kuan-yu; 柏翰/Po-han"
        ),
        _names(
            "淑芬/Shu-fen; 雅婷/Ya-ting; 怡君/Yi-chun; 美玲/Mei-ling; 詩涵/Shih-han; "
            "佳穎/Chia-ying; 欣妤/Hsin-yu; 宜蓁/Yi-chen"
        ),
        _names(
            "陳/Chen; 林/Lin; 黃/Huang; 張/Chang; 李/Lee; 王/Wang; 吳/Wu; 劉/Liu; 蔡/Tsai; "
            "楊/Yang; 許/Hsu; 鄭/Cheng; 謝/Hsieh; 郭/Kuo; 洪/Hung"
        ),
    ),
    "ko": Culture(
        _names(
            "민준/Min-jun; 서준/Seo-jun; 도윤/Do-yun; 예준/Ye-jun; 시우/Si-woo; 지훈/Ji-hoon; "
            "현우/Hyun-woo; 철수/Chul-soo; 성민/Sung-min; 동현/Dong-hyun"
        ),
        _names(
            "서연/Seo-yeon; 서윤/Seo-yun; 지우/Ji-woo; 하은/Ha-eun; 민서/Min-seo; "
            "지민/Ji-min; 수빈/Su-bin; 영희/Young-hee; 수진/Su-jin; 은지/Eun-ji"
        ),
        _names(
            "김/Kim; 이/Lee; 박/Park; 최/Choi; 정/Jung; 강/Kang; 조/Cho; 윤/Yoon; 장/Jang; "
            "임/Lim; 한/Han; 오/Oh; 서/Seo; 신/Shin; 권/Kwon; 황/Hwang"
        ),
    ),
}


@dataclass(frozen=True)
class City:
    name: str
    state: str | None
    postal: tuple[str, ...]  # patterns: '#' a digit, '@' a capital letter
    areas: tuple[str, ...]  # telephone area codes
    districts: tuple[str, ...] = ()  # JP wards (division) / BR bairros (neighborhood)
    locale: str | None = None  # overrides the country's locale (e.g. Quebec)


@dataclass(frozen=True)
class Country:
    code: str
    weight: float
    locales: tuple[tuple[str, float], ...]
    cultures: tuple[tuple[str, float], ...]
    cities: tuple[City, ...]
    phone: str  # "landline|mobile" patterns: '{a}' the area code, '#' a digit
    mobile: str
    street_style: str
    streets: tuple[str, ...]
    line2: tuple[str, ...]
    domains: tuple[tuple[str, float], ...]
    tld: str
    currency: str
    org_suffixes: tuple[str, ...]
    tax_id: tuple[tuple[str, str], ...] = ()  # (type, value pattern)


def _c(
    name: str,
    state: str | None,
    postal: str,
    areas: str,
    districts: str = "",
    locale: str | None = None,
) -> City:
    return City(
        name,
        state,
        tuple(p.strip() for p in postal.split("|")),
        tuple(a.strip() for a in areas.split("|")),
        tuple(d.strip() for d in districts.split(",")) if districts else (),
        locale,
    )


def _list(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split("|"))


_CONSUMER_DOMAINS = (
    ("gmail.com", 30),
    ("outlook.com", 8),
    ("hotmail.com", 6),
    ("yahoo.com", 6),
    ("icloud.com", 5),
    ("proton.me", 1),
)

COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        30,
        (("en_US", 90),),
        (
            ("en", 70),
            ("es", 12),
            ("zh", 3),
            ("ko", 2),
            ("de", 3),
            ("it", 3),
            ("fr", 2),
            ("pl", 2),
            ("ja", 2),
            ("pt", 1),
        ),
        (
            _c("New York", "NY", "100##|101##|112##", "212|646|917|718"),
            _c("Los Angeles", "CA", "900##|913##", "213|310|323|818"),
            _c("San Francisco", "CA", "941##", "415|628"),
            _c("Chicago", "IL", "606##", "312|773|872"),
            _c("Houston", "TX", "770##", "713|832|281"),
            _c("Austin", "TX", "787##", "512|737"),
            _c("Minneapolis", "MN", "554##", "612|952"),
            _c("Minnetonka", "MN", "55305|55343|55345", "952"),
            _c("Seattle", "WA", "981##", "206|425"),
            _c("Boston", "MA", "021##", "617|857"),
            _c("Denver", "CO", "802##", "303|720"),
            _c("Miami", "FL", "331##", "305|786"),
            _c("Atlanta", "GA", "303##", "404|678"),
            _c("Phoenix", "AZ", "850##", "602|480"),
            _c("Portland", "OR", "972##", "503|971"),
            _c("Philadelphia", "PA", "191##", "215|267"),
        ),
        # North American exchange codes never start with 0 or 1 (X: a digit 2-9).
        "+1 {a}-X##-####|({a}) X##-####|{a}.X##.####|{a}-X##-####|+1{a}X######",
        "",
        "us",
        _list(
            "Maple Ave|Oak Street|Main St|5th Avenue|Lake Street|Elm Dr|Washington Blvd|"
            "Park Ave|Sunset Blvd|Pine St|Cedar Ln|Highland Ave|Hennepin Ave|Broadway|"
            "Market St|Mission St|Peachtree St NE|Willow Way|Jefferson St|Lincoln Ave"
        ),
        _list("Apt 4B|Suite 200|Unit 12|Apt 1203|Floor 3|Suite 1500|#305"),
        _CONSUMER_DOMAINS + (("aol.com", 2), ("comcast.net", 2), ("att.net", 1)),
        "com",
        "USD",
        _list("Inc.|LLC|Corp.|Co.|Group, Inc.|Holdings LLC"),
    ),
    Country(
        "CA",
        5,
        (("en_US", 70), ("fr_CA", 30)),
        (("en", 65), ("fr", 20), ("zh", 8), ("ko", 3), ("it", 2), ("pt", 2)),
        (
            _c("Toronto", "ON", "M#@ #@#", "416|647"),
            _c("Ottawa", "ON", "K#@ #@#", "613"),
            _c("Vancouver", "BC", "V#@ #@#", "604|778"),
            _c("Calgary", "AB", "T#@ #@#", "403|587"),
            _c("Montréal", "QC", "H#@ #@#", "514|438", locale="fr_CA"),
            _c("Québec", "QC", "G#@ #@#", "418", locale="fr_CA"),
        ),
        "+1 {a}-X##-####|({a}) X##-####|{a}-X##-####",
        "",
        "us",
        _list(
            "Yonge St|Queen St W|King St E|Bloor St W|Robson St|Granville St|"
            "rue Sainte-Catherine O|boulevard Saint-Laurent|rue Saint-Denis|Rideau St"
        ),
        _list("Unit 804|Suite 300|Apt 12|App. 5"),
        _CONSUMER_DOMAINS + (("rogers.com", 2), ("videotron.ca", 1), ("shaw.ca", 1)),
        "ca",
        "CAD",
        _list("Inc.|Ltd.|Corp.|Ltée"),
        (("ca_gst", "#########RT0001"),),
    ),
    Country(
        "GB",
        8,
        (("en_US", 85),),
        (("en", 88), ("pl", 3), ("it", 2), ("fr", 2), ("zh", 2), ("es", 2), ("pt", 1)),
        (
            _c("London", None, "SW# #@@|EC#@ #@@|N# #@@|E# #@@|W# #@@|SE# #@@|NW# #@@", "20"),
            _c("Manchester", None, "M# #@@|M## #@@", "161"),
            _c("Birmingham", None, "B# #@@|B## #@@", "121"),
            _c("Edinburgh", None, "EH# #@@|EH## #@@", "131"),
            _c("Glasgow", None, "G# #@@|G## #@@", "141"),
            _c("Bristol", None, "BS# #@@", "117"),
            _c("Leeds", None, "LS# #@@", "113"),
            _c("Cardiff", None, "CF## #@@", "29"),
        ),
        "+44 {a} #### ####|0{a} #### ####",
        "+44 7### ######|07### ######",
        "uk",
        _list(
            "High Street|Station Road|Church Lane|Victoria Road|Baker Street|King's Road|"
            "Queen Street|Mill Lane|Park Road|London Road|Albert Road|The Crescent"
        ),
        _list("Flat 3|Flat 12B|Unit 4|Second Floor"),
        _CONSUMER_DOMAINS + (("btinternet.com", 4), ("sky.com", 2), ("yahoo.co.uk", 3)),
        "co.uk",
        "GBP",
        _list("Ltd|Limited|LLP|plc"),
        (("gb", "GB#########"),),
    ),
    Country(
        "DE",
        10,
        (("de_DE", 95),),
        (("de", 90), ("pl", 2), ("it", 2), ("en", 2), ("ro", 1), ("cs", 1)),
        (
            _c("Berlin", None, "10###|12###|13###", "30"),
            _c("München", None, "80###|81###", "89"),
            _c("Hamburg", None, "20###|22###", "40"),
            _c("Köln", None, "50###|51###", "221"),
            _c("Frankfurt am Main", None, "60###", "69"),
            _c("Stuttgart", None, "70###", "711"),
            _c("Düsseldorf", None, "40###", "211"),
            _c("Leipzig", None, "04###", "341"),
            _c("Dresden", None, "01###", "351"),
            _c("Nürnberg", None, "90###", "911"),
        ),
        "+49 {a} #######|+49 {a} ########|0{a} #######",
        "+49 15# ########|+49 17# #######",
        "de",
        _list(
            "Hauptstraße|Bahnhofstraße|Schillerstraße|Goethestraße|Gartenstraße|Lindenallee|"
            "Bergstraße|Kirchweg|Friedrichstraße|Kastanienallee|Schulstraße|Am Markt|"
            "Mozartstraße|Ringstraße|Sonnenallee|Königsallee"
        ),
        _list("2. OG|Hinterhaus|c/o Büro|3. Etage links"),
        (
            ("gmx.de", 15),
            ("web.de", 15),
            ("t-online.de", 10),
            ("gmail.com", 20),
            ("outlook.de", 4),
            ("posteo.de", 2),
            ("yahoo.de", 3),
            ("icloud.com", 3),
        ),
        "de",
        "EUR",
        _list("GmbH|AG|GmbH & Co. KG|UG (haftungsbeschränkt)|e.K."),
        (("de", "DE#########"),),
    ),
    Country(
        "AT",
        1.5,
        (("de_AT", 90),),
        (("de", 92), ("cs", 3), ("ro", 2), ("pl", 3)),
        (
            _c("Wien", None, "1##0", "1"),
            _c("Graz", None, "80##", "316"),
            _c("Linz", None, "40##", "732"),
            _c("Salzburg", None, "50##", "662"),
            _c("Innsbruck", None, "60##", "512"),
        ),
        "+43 {a} #######|0{a} ######",
        "+43 664 #######|+43 676 #######",
        "de",
        _list(
            "Mariahilfer Straße|Kärntner Straße|Landstraßer Hauptstraße|Herrengasse|"
            "Getreidegasse|Maria-Theresien-Straße"
        ),
        _list("Top 7|Stiege 2/Top 14|3. Stock"),
        (("gmx.at", 12), ("gmail.com", 25), ("aon.at", 6), ("chello.at", 3)),
        "at",
        "EUR",
        _list("GmbH|AG|KG|e.U."),
        (("at", "ATU########"),),
    ),
    Country(
        "CH",
        2,
        (("de_CH", 60), ("fr_CH", 28), ("it_CH", 8)),
        (("de", 60), ("fr", 28), ("it", 10), ("pt", 2)),
        (
            _c("Zürich", "ZH", "80##", "44"),
            _c("Basel", "BS", "40##", "61"),
            _c("Bern", "BE", "30##", "31"),
            _c("Genève", "GE", "12##", "22", locale="fr_CH"),
            _c("Lausanne", "VD", "10##", "21", locale="fr_CH"),
            _c("Lugano", "TI", "69##", "91", locale="it_CH"),
        ),
        "+41 {a} ### ## ##|0{a} ### ## ##",
        "+41 7# ### ## ##",
        "de",
        _list("Bahnhofstrasse|Limmatquai|Freie Strasse|Marktgasse|Seestrasse|Dorfstrasse"),
        _list("4. Stock|Postfach|c/o Treuhand AG"),
        (("bluewin.ch", 15), ("gmail.com", 25), ("gmx.ch", 8), ("sunrise.ch", 3)),
        "ch",
        "CHF",
        _list("AG|GmbH|SA|Sàrl"),
        (("ch", "CHE-###.###.### MWST"),),
    ),
    Country(
        "FR",
        8,
        (("fr_FR", 95),),
        (("fr", 90), ("pt", 3), ("it", 2), ("es", 2), ("en", 1)),
        (
            _c("Paris", None, "7500#|7501#|75020", "1"),
            _c("Lyon", None, "6900#", "4"),
            _c("Marseille", None, "1300#|1301#", "4"),
            _c("Toulouse", None, "31000|31100|31200|31300|31400|31500", "5"),
            _c("Bordeaux", None, "33000|33100|33200|33300|33800", "5"),
            _c("Lille", None, "59000|59160|59260|59800", "3"),
            _c("Nantes", None, "44000|44100|44200|44300", "2"),
            _c("Strasbourg", None, "67000|67100|67200", "3"),
            _c("Nice", None, "06000|06100|06200|06300", "4"),
        ),
        "+33 {a} ## ## ## ##|0{a} ## ## ## ##",
        "+33 6 ## ## ## ##|06 ## ## ## ##|07 ## ## ## ##",
        "fr",
        _list(
            "rue de la Paix|rue de Rivoli|avenue des Champs-Élysées|boulevard Saint-Germain|"
            "rue Victor Hugo|place Bellecour|rue du Faubourg Saint-Honoré|avenue Jean Jaurès|"
            "rue Nationale|rue de la République|quai des Chartrons|chemin des Vignes|"
            "allée des Tilleuls|rue Pasteur"
        ),
        _list("Bâtiment B|Appartement 12|3e étage|Résidence Les Pins|BP 42"),
        (
            ("orange.fr", 15),
            ("gmail.com", 25),
            ("free.fr", 10),
            ("laposte.net", 6),
            ("sfr.fr", 5),
            ("hotmail.fr", 8),
            ("wanadoo.fr", 3),
            ("yahoo.fr", 3),
        ),
        "fr",
        "EUR",
        _list("SARL|SAS|SA|EURL|SCI"),
        (("fr", "FR## #########"),),
    ),
    Country(
        "BE",
        1.5,
        (("nl_BE", 55), ("fr_BE", 40)),
        (("nl", 55), ("fr", 40), ("it", 3), ("pl", 2)),
        (
            _c("Brussel", None, "10#0", "2", locale="fr_BE"),
            _c("Antwerpen", None, "20#0", "3", locale="nl_BE"),
            _c("Gent", None, "90#0", "9", locale="nl_BE"),
            _c("Liège", None, "40#0", "4", locale="fr_BE"),
            _c("Brugge", None, "8000|8200|8310", "50", locale="nl_BE"),
        ),
        "+32 {a} ### ## ##|0{a} ### ## ##",
        "+32 4## ## ## ##",
        "nl",
        _list("Meir|Veldstraat|Rue Neuve|Avenue Louise|Grote Markt|Kerkstraat|Rue Saint-Gilles"),
        _list("bus 3|Boîte 12|2de verdieping"),
        (
            ("telenet.be", 12),
            ("skynet.be", 8),
            ("gmail.com", 25),
            ("proximus.be", 5),
            ("hotmail.com", 8),
        ),
        "be",
        "EUR",
        _list("BV|NV|SRL|SA|BVBA"),
        (("be", "BE0#########"),),
    ),
    Country(
        "NL",
        4,
        (("nl_NL", 95),),
        (("nl", 90), ("en", 3), ("de", 2), ("pl", 2), ("zh", 1), ("it", 2)),
        (
            _c("Amsterdam", None, "10## @@", "20"),
            _c("Rotterdam", None, "30## @@", "10"),
            _c("Den Haag", None, "25## @@", "70"),
            _c("Utrecht", None, "35## @@", "30"),
            _c("Eindhoven", None, "56## @@", "40"),
            _c("Groningen", None, "97## @@", "50"),
        ),
        "+31 {a} ### ####|0{a} ### ####",
        "+31 6 ########|06-########",
        "nl",
        _list(
            "Prinsengracht|Keizersgracht|Kalverstraat|Damrak|Coolsingel|Stationsweg|"
            "Dorpsstraat|Kerkstraat|Molenweg|Oudegracht|Herengracht|Lange Voorhout"
        ),
        _list("2 hoog|Unit 5|Postbus 1234"),
        (
            ("ziggo.nl", 12),
            ("kpnmail.nl", 8),
            ("gmail.com", 28),
            ("hotmail.com", 10),
            ("xs4all.nl", 3),
            ("outlook.com", 6),
        ),
        "nl",
        "EUR",
        _list("B.V.|N.V.|V.O.F."),
        (("nl", "NL#########B01"),),
    ),
    Country(
        "IT",
        3,
        (("it_IT", 95),),
        (("it", 92), ("ro", 3), ("es", 2), ("en", 1), ("zh", 2)),
        (
            _c("Roma", "RM", "001##", "06"),
            _c("Milano", "MI", "201##", "02"),
            _c("Napoli", "NA", "801##", "081"),
            _c("Torino", "TO", "101##", "011"),
            _c("Firenze", "FI", "501##", "055"),
            _c("Bologna", "BO", "401##", "051"),
        ),
        "+39 {a} #### ####|{a} ### ####",
        "+39 3## ### ####|3## #######",
        "it",
        _list(
            "Via Roma|Via Garibaldi|Via Dante|Corso Vittorio Emanuele II|Via Manzoni|"
            "Viale Europa|Piazza del Duomo|Via Verdi|Via Mazzini|Corso Buenos Aires"
        ),
        _list("Scala B|Interno 7|Piano 3"),
        (
            ("libero.it", 15),
            ("gmail.com", 30),
            ("virgilio.it", 6),
            ("alice.it", 5),
            ("hotmail.it", 6),
            ("tiscali.it", 3),
        ),
        "it",
        "EUR",
        _list("S.r.l.|S.p.A.|S.n.c.|S.a.s."),
        (("it", "IT###########"),),
    ),
    Country(
        "ES",
        3,
        (("es_ES", 95),),
        (("es", 94), ("ro", 2), ("en", 2), ("it", 1), ("fr", 1)),
        (
            _c("Madrid", None, "280##", "91"),
            _c("Barcelona", None, "080##", "93"),
            _c("Valencia", None, "460##", "96"),
            _c("Sevilla", None, "410##", "95"),
            _c("Bilbao", None, "480##", "94"),
            _c("Zaragoza", None, "500##", "976"),
        ),
        "+34 {a}# ### ###|{a}# ### ###",
        "+34 6## ### ###|6## ## ## ##",
        "es",
        _list(
            "Calle Mayor|Gran Vía|Calle de Alcalá|Paseo de la Castellana|Avinguda Diagonal|"
            "Calle Serrano|Rambla de Catalunya|Calle Larios|Avenida de la Constitución"
        ),
        _list("3º 2ª|Piso 4, Puerta B|Bajo A|Escalera 2"),
        (
            ("gmail.com", 35),
            ("hotmail.es", 12),
            ("yahoo.es", 5),
            ("telefonica.net", 4),
            ("outlook.es", 5),
        ),
        "es",
        "EUR",
        _list("S.L.|S.A.|S.L.U."),
        (("es", "ES@#######@"),),
    ),
    Country(
        "SE",
        2,
        (("sv_SE", 95),),
        (("sv", 92), ("fi", 3), ("pl", 2), ("en", 3)),
        (
            _c("Stockholm", None, "11# ##|12# ##", "8"),
            _c("Göteborg", None, "41# ##", "31"),
            _c("Malmö", None, "21# ##", "40"),
            _c("Uppsala", None, "75# ##", "18"),
        ),
        "+46 {a} ### ## ##|0{a}-### ## ##",
        "+46 7# ### ## ##|07#-### ## ##",
        "sv",
        _list("Drottninggatan|Storgatan|Kungsgatan|Sveavägen|Götgatan|Vasagatan|Linnégatan"),
        _list("Lgh 1102|c/o Andersson|3 tr"),
        (
            ("telia.com", 10),
            ("gmail.com", 35),
            ("hotmail.se", 10),
            ("outlook.com", 5),
            ("bredband.net", 3),
        ),
        "se",
        "SEK",
        _list("AB|HB|Aktiebolag"),
        (("se", "SE##########01"),),
    ),
    Country(
        "DK",
        1,
        (("da_DK", 95),),
        (("da", 95), ("en", 3), ("de", 2)),
        (
            _c("København", None, "1###|2100|2200|2300", ""),
            _c("Aarhus", None, "8000|8200|8210", ""),
            _c("Odense", None, "5000|5200|5230", ""),
        ),
        "+45 ## ## ## ##",
        "",
        "nordic",
        _list("Strøget|Nørrebrogade|Vesterbrogade|Østergade|Jernbanegade|Søndergade"),
        _list("2. th.|st. tv.|4. sal"),
        (
            ("gmail.com", 35),
            ("hotmail.com", 12),
            ("outlook.dk", 6),
            ("jubii.dk", 2),
            ("mail.dk", 5),
        ),
        "dk",
        "DKK",
        _list("ApS|A/S|I/S"),
        (("dk", "DK########"),),
    ),
    Country(
        "NO",
        1,
        (("no_NO", 95),),
        (("no", 95), ("sv", 3), ("en", 2)),
        (
            _c("Oslo", None, "0###", ""),
            _c("Bergen", None, "50##", ""),
            _c("Trondheim", None, "70##", ""),
            _c("Stavanger", None, "40##", ""),
        ),
        "+47 ## ## ## ##|+47 ### ## ###",
        "",
        "nordic",
        _list("Karl Johans gate|Storgata|Bogstadveien|Kirkegata|Torggata|Markveien"),
        _list("Leilighet H0201|c/o Hansen"),
        (("gmail.com", 35), ("online.no", 8), ("hotmail.com", 10), ("outlook.com", 5)),
        "no",
        "NOK",
        _list("AS|ASA|ENK"),
        (("no", "#########MVA"),),
    ),
    Country(
        "FI",
        1,
        (("fi_FI", 90),),
        (("fi", 90), ("sv", 10)),
        (
            _c("Helsinki", None, "00##0", "9"),
            _c("Espoo", None, "02##0", "9"),
            _c("Tampere", None, "33##0", "3"),
            _c("Turku", None, "20##0", "2"),
        ),
        "+358 {a} ### ####|0{a} ### ####",
        "+358 40 ### ####|050 ### ####",
        "nordic",
        _list("Mannerheimintie|Aleksanterinkatu|Hämeenkatu|Esplanadi|Kauppakatu|Hämeentie"),
        _list("A 12|B 4|as. 7"),
        (("gmail.com", 35), ("hotmail.com", 10), ("luukku.com", 3), ("elisanet.fi", 4)),
        "fi",
        "EUR",
        _list("Oy|Oyj|Ky"),
        (("fi", "FI########"),),
    ),
    Country(
        "PL",
        2,
        (("pl_PL", 95),),
        (("pl", 97), ("en", 1), ("de", 2)),
        (
            _c("Warszawa", None, "0#-###", "22"),
            _c("Kraków", None, "3#-###", "12"),
            _c("Wrocław", None, "5#-###", "71"),
            _c("Gdańsk", None, "80-###", "58"),
            _c("Poznań", None, "6#-###", "61"),
        ),
        "+48 {a} ### ## ##|{a} ### ## ##",
        "+48 ### ### ###|### ### ###",
        "pl",
        _list(
            "ul. Marszałkowska|ul. Piotrkowska|ul. Floriańska|ul. Długa|al. Jerozolimskie|"
            "ul. Świętokrzyska|ul. Mickiewicza"
        ),
        _list("lok. 5|m. 12|piętro 2"),
        (("wp.pl", 15), ("onet.pl", 12), ("gmail.com", 30), ("interia.pl", 8), ("o2.pl", 6)),
        "pl",
        "PLN",
        _list("Sp. z o.o.|S.A.|Sp.k."),
        (("pl", "PL##########"),),
    ),
    Country(
        "CZ",
        1,
        (("cs_CZ", 95),),
        (("cs", 95), ("pl", 2), ("de", 3)),
        (
            _c("Praha", None, "1## 00", "2"),
            _c("Brno", None, "6## 00", "5"),
            _c("Ostrava", None, "7## 00", "59"),
            _c("Plzeň", None, "3## 00", "37"),
        ),
        "+420 {a}## ### ###",
        "+420 6## ### ###|+420 7## ### ###",
        "cz",
        _list("Václavské náměstí|Národní|Vinohradská|Masarykova|Na Příkopě|Dlouhá"),
        _list("3. patro|byt 12"),
        (("seznam.cz", 30), ("gmail.com", 30), ("email.cz", 10), ("centrum.cz", 6)),
        "cz",
        "CZK",
        _list("s.r.o.|a.s.|v.o.s."),
        (("cz", "CZ########"),),
    ),
    Country(
        "RO",
        1,
        (("ro_RO", 95),),
        (("ro", 97), ("en", 3)),
        (
            _c("București", None, "0#####", "21"),
            _c("Cluj-Napoca", "CJ", "400###", "264"),
            _c("Timișoara", "TM", "300###", "256"),
            _c("Iași", "IS", "700###", "232"),
        ),
        "+40 {a} ### ####|0{a} ### ####",
        "+40 7## ### ###|07## ### ###",
        "ro",
        _list(
            "Strada Victoriei|Bulevardul Unirii|Strada Lipscani|Calea Dorobanților|"
            "Bulevardul Eroilor|Strada Memorandumului"
        ),
        _list("Bloc A2, Sc. 1, Ap. 14|Etaj 3|Ap. 7"),
        (("yahoo.com", 25), ("gmail.com", 35), ("yahoo.ro", 8)),
        "ro",
        "RON",
        _list("S.R.L.|S.A."),
        (("ro", "RO########"),),
    ),
    Country(
        "JP",
        7,
        (("ja_JP", 95),),
        (("ja", 96), ("en", 2), ("ko", 1), ("zh", 1)),
        (
            _c(
                "Tokyo",
                "Tokyo",
                "1##-####",
                "3",
                "Chiyoda-ku, Minato-ku, Shibuya-ku, Shinjuku-ku, Setagaya-ku, Chuo-ku",
            ),
            _c("Yokohama", "Kanagawa", "2##-####", "45", "Naka-ku, Nishi-ku, Kohoku-ku"),
            _c("Osaka", "Osaka", "5##-####", "6", "Kita-ku, Chuo-ku, Naniwa-ku, Tennoji-ku"),
            _c("Nagoya", "Aichi", "4##-####", "52", "Naka-ku, Nakamura-ku, Chikusa-ku"),
            _c("Sapporo", "Hokkaido", "0##-####", "11", "Chuo-ku, Kita-ku, Toyohira-ku"),
            _c("Fukuoka", "Fukuoka", "8##-####", "92", "Hakata-ku, Chuo-ku, Sawara-ku"),
            _c("Kyoto", "Kyoto", "6##-####", "75", "Nakagyo-ku, Shimogyo-ku, Sakyo-ku"),
        ),
        "+81 {a}-####-####|0{a}-####-####",
        "+81 90-####-####|080-####-####|070-####-####",
        "jp",
        _list(
            "Marunouchi|Roppongi|Jingumae|Nishi-Shinjuku|Sangenjaya|Ginza|Umeda|Sakae|"
            "Minatomirai|Tenjin|Karasuma|Odori"
        ),
        _list("Sunshine Bldg. 5F|Room 302|Maison Aoyama 1102|Tower 2, 18F"),
        (
            ("gmail.com", 30),
            ("yahoo.co.jp", 25),
            ("docomo.ne.jp", 8),
            ("ezweb.ne.jp", 5),
            ("softbank.ne.jp", 4),
            ("icloud.com", 8),
            ("outlook.jp", 3),
        ),
        "co.jp",
        "JPY",
        _list("K.K.|Co., Ltd.|Inc.|G.K."),
        (("jp", "T#############"),),
    ),
    Country(
        "KR",
        1.5,
        (("ko_KR", 95),),
        (("ko", 98), ("en", 2)),
        (
            _c("Seoul", None, "0####", "2"),
            _c("Busan", None, "4####", "51"),
            _c("Incheon", None, "2####", "32"),
        ),
        "+82 {a}-####-####|0{a}-###-####",
        "+82 10-####-####|010-####-####",
        "kr",
        _list("Teheran-ro|Gangnam-daero|Sejong-daero|Haeundae-ro|Olympic-ro|Yanghwa-ro"),
        _list("Apt 1203|8F|Room 405"),
        (("naver.com", 40), ("gmail.com", 30), ("daum.net", 12), ("kakao.com", 5)),
        "co.kr",
        "KRW",
        _list("Co., Ltd.|Corp.|Inc."),
        (("kr", "###-##-#####"),),
    ),
    Country(
        "CN",
        1.5,
        (("zh_CN", 95),),
        (("zh", 98), ("en", 2)),
        (
            _c("Beijing", "Beijing", "100###", "10"),
            _c("Shanghai", "Shanghai", "200###", "21"),
            _c("Shenzhen", "Guangdong", "518###", "755"),
            _c("Guangzhou", "Guangdong", "510###", "20"),
            _c("Hangzhou", "Zhejiang", "310###", "571"),
            _c("Chengdu", "Sichuan", "610###", "28"),
        ),
        "+86 {a} #### ####|0{a}-########",
        "+86 13# #### ####|+86 18# #### ####",
        "cn",
        _list(
            "Nanjing Road|Huaihai Road|Jianguo Road|Shennan Avenue|Tianhe Road|Wensan Road|"
            "Renmin Road|Zhongshan Road"
        ),
        _list("Room 1502|Building 3, Room 601|12F"),
        (("qq.com", 35), ("163.com", 25), ("126.com", 8), ("gmail.com", 10), ("sina.com", 5)),
        "com.cn",
        "CNY",
        _list("Co., Ltd.|Technology Co., Ltd.|Trading Co., Ltd."),
        (("cn", "91##############@@"),),
    ),
    Country(
        "TW",
        1,
        (("zh_TW", 95),),
        (("tw", 98), ("en", 2)),
        (
            _c("Taipei", None, "10#|11#|1####", "2"),
            _c("Kaohsiung", None, "8##|8####", "7"),
            _c("Taichung", None, "4##|4####", "4"),
        ),
        "+886 {a} #### ####|0{a}-####-####",
        "+886 9## ### ###|09##-###-###",
        "tw",
        _list(
            "Zhongxiao East Road, Section 4|Xinyi Road, Section 5|Dunhua South Road|"
            "Zhongshan North Road, Section 2|Minsheng East Road"
        ),
        _list("12F|5F-2|Room 803"),
        (("gmail.com", 35), ("yahoo.com.tw", 25), ("hotmail.com", 8), ("hinet.net", 6)),
        "com.tw",
        "TWD",
        _list("Co., Ltd.|Corp.|Inc."),
        (("tw", "########"),),
    ),
    Country(
        "BR",
        5,
        (("en_US", 50), ("es_ES", 10)),
        (("pt", 92), ("it", 3), ("ja", 2), ("de", 2), ("es", 1)),
        (
            _c(
                "São Paulo",
                "SP",
                "0####-###",
                "11",
                "Pinheiros, Vila Madalena, Moema, Itaim Bibi, Consolação, Bela Vista, Santana, "
                "Tatuapé, Liberdade",
            ),
            _c(
                "Rio de Janeiro",
                "RJ",
                "2####-###",
                "21",
                "Copacabana, Ipanema, Leblon, Botafogo, Tijuca, Barra da Tijuca, Flamengo",
            ),
            _c("Belo Horizonte", "MG", "3####-###", "31", "Savassi, Funcionários, Lourdes, Centro"),
            _c("Curitiba", "PR", "8####-###", "41", "Batel, Centro, Água Verde, Bigorrilho"),
            _c("Porto Alegre", "RS", "9####-###", "51", "Moinhos de Vento, Bom Fim, Menino Deus"),
            _c("Salvador", "BA", "4####-###", "71", "Barra, Pituba, Rio Vermelho"),
            _c("Recife", "PE", "5####-###", "81", "Boa Viagem, Casa Forte, Espinheiro"),
        ),
        "+55 {a} ####-####|({a}) ####-####",
        "+55 {a} 9####-####|({a}) 9####-####",
        "br",
        _list(
            "Rua Augusta|Avenida Paulista|Rua Oscar Freire|Rua das Flores|Avenida Atlântica|"
            "Rua XV de Novembro|Avenida Brasil|Rua da Consolação|Rua Haddock Lobo|"
            "Avenida Sete de Setembro"
        ),
        _list("Apto 101|Sala 1203|Bloco B, Apto 34|Casa 2"),
        (
            ("gmail.com", 45),
            ("hotmail.com", 15),
            ("uol.com.br", 8),
            ("bol.com.br", 5),
            ("terra.com.br", 4),
            ("yahoo.com.br", 5),
            ("outlook.com", 5),
        ),
        "com.br",
        "BRL",
        _list("Ltda.|S.A.|ME|EIRELI"),
        (("br_cnpj", "##.###.###/0001-##"),),
    ),
)

ORG_WORDS = _list(
    "Alpine|Apex|Atlas|Aurora|Beacon|Blue Harbor|Bright Path|Cedar|Cobalt|Crescent|Evergreen|"
    "Falcon|Granite|Harbor|Horizon|Ironwood|Juniper|Keystone|Lighthouse|Lumen|Maple|Meridian|"
    "Nimbus|Northwind|Oakridge|Orbit|Pinnacle|Pixel|Quantum|Redwood|Riverstone|Sapphire|"
    "Silverline|Solstice|Summit|Sunrise|Trident|Vertex|Vista|Willow|Zenith|Nordlicht|Polaris|"
    "Helix|Kestrel|Larkspur|Mosaic|Nova|Onyx|Prism|Sequoia|Tundra|Umbra|Vantage|Wavelength"
)
ORG_SECTORS = _list(
    "Software|Systems|Digital|Media|Labs|Consulting|Logistics|Design|Analytics|Games|Networks|"
    "Studios|Trading|Technologies|Solutions|Partners|Interactive|Cloud|Security|Electronics|"
    "Robotics|Publishing|Engineering|Health|Education"
)
ROLE_MAILBOXES = _list("billing|accounts|purchasing|it|finance|procurement|info|office|admin")
CARD_BRANDS = (
    ("Visa", 45),
    ("Mastercard", 35),
    ("American Express", 10),
    ("Discover", 4),
    ("JCB", 3),
    ("Diners Club", 1),
    ("UnionPay", 2),
)
METADATA_SEGMENTS = _list("smb|enterprise|consumer|education|government|partner")
METADATA_CHANNELS = _list("web|mobile-app|partner-portal|import|phone-sales|reseller")
METADATA_TIERS = _list("bronze|silver|gold|platinum")
US_STATES_FOR_CERTS = ("MN", "NY", "CA", "TX", "IL", "WA", "MA", "FL", "GA", "CO")


def _fold(text: str) -> str:
    """Email-safe ASCII: umlauts spelt out, other accents dropped, non-alphanumerics removed."""
    text = text.lower()
    for a, b in (
        ("ä", "ae"),
        ("ö", "oe"),
        ("ü", "ue"),
        ("ß", "ss"),
        ("ø", "oe"),
        ("æ", "ae"),
        ("å", "aa"),
        ("ł", "l"),
        ("đ", "d"),
    ):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _compile_pattern(pattern: str) -> tuple[str, tuple[int, ...]]:
    """'+49 ## @@' -> ('+49 %02d %s', (100, -2)): a %-template and, per placeholder, the
    range of a run of digits (positive), a letter run's length (negative), or 0 for a digit
    from 2 to 9 ('X')."""
    template: list[str] = []
    runs: list[int] = []
    for part in re.split(r"(#+|@+|X)", pattern):
        if not part:
            continue
        if part[0] == "#":
            template.append(f"%0{len(part)}d")
            runs.append(10 ** len(part))
        elif part[0] == "@":
            template.append("%s")
            runs.append(-len(part))
        elif part == "X":
            template.append("%d")
            runs.append(0)
        else:
            template.append(part.replace("%", "%%"))
    return "".join(template), tuple(runs)


def _table(pairs: Sequence[tuple[Any, float]], size: int = 1000) -> list[Any]:
    """A lookup list for weighted choice: pick ``table[int(random() * len(table))]``."""
    total = sum(w for _, w in pairs)
    out: list[Any] = []
    for value, weight in pairs:
        out.extend([value] * max(1, round(weight / total * size)))
    return out


# -- tiny valid files for tax certificates ------------------------------------------------------


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    width, height = 8, 8
    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _tiny_pdf(title: str) -> bytes:
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# -- the generator ------------------------------------------------------------------------------


@dataclass
class Batch:
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    sources: list[tuple[Any, ...]] = field(default_factory=list)
    tax_ids: list[tuple[Any, ...]] = field(default_factory=list)
    files: list[tuple[Any, ...]] = field(default_factory=list)
    certificates: list[tuple[Any, ...]] = field(default_factory=list)


def _timestamp(value: dt.datetime) -> str:
    # The text SQLAlchemy stores on SQLite (always with microseconds); PostgreSQL reads it too.
    return value.isoformat(" ", "microseconds")


class _Generator:
    def __init__(self, rng: random.Random, now: dt.datetime, taken_ids: set[str]) -> None:
        self.rng = rng
        self.now = now
        self.start = now - SPAN
        self.taken_ids = taken_ids
        self.country_table = _table([(c, c.weight) for c in COUNTRIES], 2000)
        self.prepared: dict[str, dict[str, Any]] = {}
        for country in COUNTRIES:
            locales = list(country.locales)
            missing = 100 - sum(w for _, w in locales)
            if missing > 0:
                locales.append((None, missing))
            self.prepared[country.code] = {
                "cultures": _table([(CULTURES[k], w) for k, w in country.cultures], 200),
                "locales": _table(locales, 200),
                "domains": _table(list(country.domains), 200),
                "landline": country.phone.split("|"),
                "mobile": country.mobile.split("|") if country.mobile else [],
            }
        self.folded: dict[str, str] = {}
        self.brands = _table(CARD_BRANDS, 100)
        # Earlier customers' (email, country, name, first, last), for shared emails.
        self.recent: list[tuple[str, str, str, str, str]] = []
        self.first_cert_done = False
        self.png = _tiny_png()
        self.patterns: dict[str, tuple[str, tuple[int, ...]]] = {}
        self.id_stride, self.id_offset = 1, 0

    # small helpers ------------------------------------------------------------------------

    def fold(self, text: str) -> str:
        folded = self.folded.get(text)
        if folded is None:
            folded = self.folded[text] = _fold(text)
        return folded

    def fill(self, pattern: str) -> str:
        """Fill a pattern: '#' a digit, 'X' a digit 2-9, '@' a capital letter."""
        compiled = self.patterns.get(pattern)
        if compiled is None:
            compiled = self.patterns[pattern] = _compile_pattern(pattern)
        template, runs = compiled
        r = self.rng.random
        values: list[Any] = []
        for run in runs:
            if run > 0:
                values.append(int(r() * run))
            elif run == 0:
                values.append(2 + int(r() * 8))
            else:
                values.append("".join([_LETTERS[int(r() * 23)] for _ in range(-run)]))
        return template % tuple(values)

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def customer_id(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            # DR generates numeric ids (see store.generate_customer_id).
            while True:
                # Workers draw from disjoint residues, so their ids never collide.
                number = (self.rng.getrandbits(27) % (10**8 // self.id_stride)) * self.id_stride
                candidate = f"{number + self.id_offset:08d}0336"
                if candidate not in self.taken_ids:
                    self.taken_ids.add(candidate)
                    return candidate
        token = base64.b64encode(self.rng.getrandbits(96).to_bytes(12, "little"), b"xz").decode()
        if r < 0.85:
            return "cus_" + token
        if r < 0.95:
            return "acct-" + token[:12].lower()
        return "CRM-" + token[:10].upper()

    def times(self, first: int, size: int, total: int) -> list[str]:
        """Creation times of customers ``first`` .. ``first + size - 1`` out of ``total``:
        each gets a random moment in its own slice of the last three years (so they are
        sorted and unique to the microsecond), and the slices crowd towards now, as a
        growing business's sign-ups do."""
        span_us = SPAN.total_seconds() * 1_000_000 - 1_000_000
        r = self.rng.random
        start = self.start
        delta = dt.timedelta
        out: list[str] = []
        for index in range(first, first + size):
            # Jitter within 90% of the slice keeps neighbours apart by whole seconds.
            position = ((index + 0.9 * r()) / total) ** 0.75
            out.append(_timestamp(start + delta(microseconds=int(position * span_us))))
        return out

    # one customer -------------------------------------------------------------------------

    def batch(self, created: Sequence[str]) -> Batch:
        batch = Batch()
        customers = batch.customers
        rng = self.rng
        r = rng.random
        country_table = self.country_table
        n_countries = len(country_table)
        prepared = self.prepared
        fold = self.fold
        fill = self.fill
        recent = self.recent
        now = self.now
        english = CULTURES["en"]
        for created_time in created:
            country = country_table[int(r() * n_countries)]
            prep = prepared[country.code]
            cultures = prep["cultures"]
            culture = cultures[int(r() * len(cultures))]
            city = country.cities[int(r() * len(country.cities))]
            business = r() < 0.2
            ctype = "business" if business else ("individual" if r() < 0.9 else None)

            # name
            female = r() < 0.5
            firsts = culture.female if female else culture.male
            first = firsts[int(r() * len(firsts))]
            last = culture.last[int(r() * len(culture.last))]
            phonetic = None
            if len(first) > 1:  # East Asian: (native, romanised[, katakana])
                first_latin, last_latin = first[1], last[1]
                if r() < 0.5 and country.code not in ("US", "CA", "GB", "BR"):
                    sep = " " if culture.native_space else ""
                    name = last[0] + sep + first[0]
                    if len(first) > 2 and r() < 0.7:
                        phonetic = last[2] + " " + first[2]
                else:
                    name = first_latin + " " + last_latin
            else:
                first_latin = first[0]
                last_latin = last[0]
                if female and culture.feminine_surname is not None:
                    last_latin = culture.feminine_surname(last_latin)
                if culture.double_surname and r() < culture.double_surname:
                    extra = culture.last[int(r() * len(culture.last))][0]
                    if extra != last_latin:
                        last_latin = last_latin + " " + extra
                name = first_latin + " " + last_latin
                if r() < 0.03 and culture is english:
                    name = (
                        first_latin
                        + " "
                        + "ABCDEFGHJKLMNPRSTW"[int(r() * 18)]
                        + ". "
                        + (last_latin)
                    )

            # organisation
            organization = None
            org_slug = None
            if business:
                word = ORG_WORDS[int(r() * len(ORG_WORDS))]
                suffix = country.org_suffixes[int(r() * len(country.org_suffixes))]
                pick = r()
                if pick < 0.45:
                    sector = ORG_SECTORS[int(r() * len(ORG_SECTORS))]
                    organization = f"{word} {sector} {suffix}"
                    org_slug = fold(word) + (fold(sector) if r() < 0.5 else "")
                elif pick < 0.75:
                    sector = ORG_SECTORS[int(r() * len(ORG_SECTORS))]
                    organization = f"{last_latin} {sector} {suffix}"
                    org_slug = fold(last_latin) + "-" + fold(sector)
                else:
                    other = culture.last[int(r() * len(culture.last))]
                    other_latin = other[1] if len(other) > 1 else other[0]
                    organization = f"{last_latin} & {other_latin} {suffix}"
                    org_slug = fold(last_latin) + fold(other_latin)

            # email
            email: str | None
            if recent and r() < 0.03:
                # The same person again (or a colleague) with an earlier email in another case.
                shared, shared_country, shared_name, shared_first, shared_last = recent[
                    int(r() * len(recent))
                ]
                email = self.recase(shared)
                if shared_country == country.code and r() < 0.8:
                    name, first_latin, last_latin = shared_name, shared_first, shared_last
            elif r() < 0.02:
                email = None
            else:
                f, lst = fold(first_latin), fold(last_latin)
                if business and r() < 0.85:
                    domain = f"{org_slug}.{country.tld}"
                    if r() < 0.15:
                        local = ROLE_MAILBOXES[int(r() * len(ROLE_MAILBOXES))]
                    else:
                        local = f"{f}.{lst}" if r() < 0.7 else f"{f[0]}{lst}"
                else:
                    domains = prep["domains"]
                    domain = domains[int(r() * len(domains))]
                    pick = r()
                    if pick < 0.45:
                        local = f"{f}.{lst}"
                    elif pick < 0.6:
                        local = f"{f}{lst}"
                    elif pick < 0.7:
                        local = f"{f[0]}{lst}"
                    elif pick < 0.77:
                        local = f"{f}_{lst}"
                    elif pick < 0.82:
                        local = f"{lst}.{f}"
                    elif pick < 0.95:
                        local = f"{f}.{lst}{int(r() * 100)}"
                    else:
                        local = f"{f}{1950 + int(r() * 56)}"
                email = f"{local}@{domain}"
                if r() < 0.04:
                    email = self.recase(email)
            if email is not None:
                if len(recent) < 50_000:
                    recent.append((email, country.code, name, first_latin, last_latin))
                elif r() < 0.05:
                    recent[int(r() * 50_000)] = (email, country.code, name, first_latin, last_latin)

            # shipping (most customers; every business)
            if business or r() < 0.92:
                phone = (
                    self.phone(country, city, prep) if r() < (0.97 if business else 0.85) else None
                )
                postal = city.postal[int(r() * len(city.postal))]
                postal = fill(postal)
                if country.code == "US" and r() < 0.1:
                    postal = f"{postal}-{int(r() * 10000):04d}"
                line1 = self.street(country, city)
                line2 = country.line2[int(r() * len(country.line2))] if r() < 0.15 else None
                district = (
                    city.districts[int(r() * len(city.districts))] if city.districts else None
                )
                neighborhood = district if country.code == "BR" else None
                division = district if country.code == "JP" else None
                ship_email = email if r() < 0.6 else None
                ship = (
                    name,
                    phone,
                    ship_email,
                    organization,
                    line1,
                    line2,
                    city.name,
                    postal,
                    city.state,
                    country.code,
                    neighborhood,
                    division,
                    phonetic,
                )
                search_text = search_text_for(name, phone, organization, postal)
            else:
                ship = (None,) * 13
                search_text = ""

            # locale
            if city.locale is not None and r() < 0.9:
                locale = city.locale
            else:
                locales = prep["locales"]
                locale = locales[int(r() * len(locales))]

            customer_id = self.customer_id()
            enabled = _F if r() < 0.05 else _T
            forgotten = _T if r() < 0.002 else _F

            # metadata
            metadata = None
            if r() < 0.12:
                meta: dict[str, str] = {"crmId": f"CRM-{int(r() * 10**7):07d}"}
                if r() < 0.6:
                    meta["segment"] = METADATA_SEGMENTS[int(r() * len(METADATA_SEGMENTS))]
                if r() < 0.5:
                    meta["channel"] = METADATA_CHANNELS[int(r() * len(METADATA_CHANNELS))]
                if r() < 0.3:
                    meta["loyaltyTier"] = METADATA_TIERS[int(r() * len(METADATA_TIERS))]
                metadata = json.dumps(meta)

            updated = None
            version = "1"
            if r() < 0.3:
                created_dt = dt.datetime.fromisoformat(created_time)
                delta = (now - created_dt).total_seconds()
                updated = _timestamp(created_dt + dt.timedelta(seconds=r() * delta))
                version = "2345"[int(r() * 4)]

            # cards
            default_source = None
            if r() < 0.3:
                default_source = self.sources(
                    batch, customer_id, country, name, email, created_time
                )

            if business:
                if country.tax_id and r() < 0.45:
                    self.tax_ids(batch, customer_id, country, city, created_time)
                if country.code == "US" and (not self.first_cert_done or r() < 0.003):
                    self.certificate(batch, customer_id, organization, city, created_time)

            customers.append(
                (
                    customer_id,
                    email,
                    email.lower() if email else None,
                    ctype,
                    locale,
                    enabled,
                    forgotten,
                    default_source,
                    _F,
                )
                + ship
                + (metadata, search_text, created_time, updated, version)
            )
        return batch

    def recase(self, email: str) -> str:
        r = self.rng.random()
        local, _, domain = email.partition("@")
        if r < 0.4:
            changed = ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + domain
        elif r < 0.6:
            changed = email.upper()
        elif r < 0.8:
            changed = local[:1].upper() + local[1:] + "@" + domain
        else:
            changed = local + "@" + domain.capitalize()
        if changed == email:
            changed = email.upper() if email != email.upper() else email.lower()
        return changed

    def phone(self, country: Country, city: City, prep: dict[str, Any]) -> str:
        r = self.rng.random
        mobiles = prep["mobile"]
        if mobiles and r() < 0.5:
            pattern = mobiles[int(r() * len(mobiles))]
        else:
            landlines = prep["landline"]
            pattern = landlines[int(r() * len(landlines))]
        area = city.areas[int(r() * len(city.areas))]
        return self.fill(pattern.replace("{a}", area))

    def street(self, country: Country, city: City) -> str:
        r = self.rng.random
        street = country.streets[int(r() * len(country.streets))]
        style = country.street_style
        if style in ("us", "uk", "cn", "kr"):
            number = int(r() * (9999 if style == "us" else 300)) + 1
            return f"{number} {street}"
        if style == "fr":
            number = int(r() * 150) + 1
            return f"{number}{' bis' if r() < 0.04 else ''} {street}"
        if style in ("it", "es", "br"):
            return f"{street}, {int(r() * 2000 if style == 'br' else r() * 200) + 1}"
        if style == "jp":
            return f"{int(r() * 9) + 1}-{int(r() * 20) + 1}-{int(r() * 30) + 1} {street}"
        if style == "tw":
            return f"No. {int(r() * 300) + 1}, {street}"
        if style == "cz":
            return f"{street} {int(r() * 2500) + 1}/{int(r() * 60) + 1}"
        # de, nl, nordic, pl, ro: street first
        number = str(int(r() * 180) + 1)
        if r() < 0.08:
            number += "abc"[int(r() * 3)]
        return f"{street} {number}"

    def sources(
        self,
        batch: Batch,
        customer_id: str,
        country: Country,
        name: str | None,
        email: str | None,
        created_time: str,
    ) -> str:
        r = self.rng.random
        count = 1 if r() < 0.75 else (2 if r() < 0.8 else 3)
        created = dt.datetime.fromisoformat(created_time)
        first_id = ""
        for n in range(count):
            source_id = self.uuid()
            if n == 0:
                first_id = source_id
            brand = self.brands[int(r() * len(self.brands))]
            if country.code == "JP" and r() < 0.3:
                brand = "JCB"
            when = created + dt.timedelta(seconds=5 + r() * 86400 * 30 * n)
            if when > self.now:
                when = self.now
            batch.sources.append(
                (
                    source_id,
                    customer_id,
                    "creditCard",
                    "chargeable",
                    _T,
                    brand,
                    f"{int(r() * 10000):04d}",
                    str(int(r() * 12) + 1),
                    str(when.year + 1 + int(r() * 5)),
                    country.currency,
                    name,
                    email,
                    _timestamp(when),
                )
            )
        return first_id

    def tax_ids(
        self, batch: Batch, customer_id: str, country: Country, city: City, created_time: str
    ) -> None:
        r = self.rng.random
        kinds = list(country.tax_id)
        if city.state == "QC":
            kinds.append(("ca_qst", "##########TQ0001"))
        for kind, pattern in kinds:
            value = self.fill(pattern)
            if kind == "fr":
                value = value.replace(" ", "")
            pick = r()
            state = "verified" if pick < 0.7 else ("pending" if pick < 0.9 else "not_valid")
            updated = created_time if state != "pending" else None
            batch.tax_ids.append(
                (self.uuid(), customer_id, kind, value, state, created_time, updated)
            )

    def certificate(
        self,
        batch: Batch,
        customer_id: str,
        organization: str | None,
        city: City,
        created_time: str,
    ) -> None:
        self.first_cert_done = True
        r = self.rng.random
        authority = city.state or US_STATES_FOR_CERTS[int(r() * len(US_STATES_FOR_CERTS))]
        created = dt.datetime.fromisoformat(created_time)
        start = created.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1 + int(r() * 3), day=min(start.day, 28))
        file_id = self.uuid()
        if r() < 0.6:
            kind, content = "pdf", _tiny_pdf(f"Sales tax exemption certificate - {authority}")
        else:
            kind, content = "png", self.png
        batch.files.append(
            (
                file_id,
                f"exemption-certificate-{authority.lower()}.{kind}",
                "tax_document_customer_upload",
                kind,
                str(len(content)),
                content,
                created_time,
            )
        )
        batch.certificates.append(
            (
                customer_id,
                organization or "",
                authority,
                _timestamp(start),
                _timestamp(end),
                file_id,
                created_time,
            )
        )


WORKERS = 2


def _plan(count: int, batch_size: int = BATCH_SIZE) -> list[tuple[int, int]]:
    return [(start, min(batch_size, count - start)) for start in range(0, count, batch_size)]


def _generate(
    count: int,
    seed: int,
    taken_ids: set[str],
    now: dt.datetime,
    worker: int = 0,
    workers: int = 1,
) -> Iterator[Batch]:
    """Batches ``worker``, ``worker + workers``, ... of the load, oldest customers first."""
    generator = _Generator(random.Random(f"{seed}/{worker}/{workers}"), now, taken_ids)
    generator.id_stride, generator.id_offset = workers, worker
    for start, size in _plan(count)[worker::workers]:
        yield generator.batch(generator.times(start, size, count))


def _worker(
    queue: Any,
    count: int,
    seed: int,
    taken_ids: set[str],
    now: dt.datetime,
    worker: int,
    workers: int,
) -> None:
    """Runs in a child process: generate batches while the parent writes earlier ones."""
    try:
        for batch in _generate(count, seed, taken_ids, now, worker, workers):
            queue.put(batch)
        queue.put(None)
    except BaseException as exc:  # pragma: no cover - reported to the parent
        queue.put(exc)


def _batches(count: int, seed: int, taken_ids: set[str]) -> Iterator[Batch]:
    """The batches to load, oldest customers first. A big load generates them in worker
    processes, so that building rows in Python and storing them use both cores."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if count < PARALLEL_MIN_ROWS:
        yield from _generate(count, seed, taken_ids, now)
        return
    context = multiprocessing.get_context("spawn")
    queues = [context.Queue(maxsize=3) for _ in range(WORKERS)]
    processes = [
        context.Process(
            target=_worker,
            args=(queue, count, seed, taken_ids, now, worker, WORKERS),
            name=f"seed-generator-{worker}",
            daemon=True,
        )
        for worker, queue in enumerate(queues)
    ]
    for process in processes:
        process.start()
    try:
        for index in range(len(_plan(count))):
            item = queues[index % WORKERS].get()
            if isinstance(item, BaseException):
                raise item
            if item is None:  # pragma: no cover - a worker stopped early
                raise RuntimeError("a seed worker stopped before its last batch")
            yield item
        for queue in queues:
            queue.get()  # the end marker
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
        for queue in queues:
            queue.close()


# -- loading ------------------------------------------------------------------------------------


def seed_customers(
    engine: Engine,
    count: int,
    *,
    random_seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``count`` demo customers to the local store; return how many were added.

    ``progress(n)`` is called after each batch with the number of customers loaded so far.
    Works on an empty table or appends to one that already has rows. The load is one
    transaction: it adds everything or nothing. The same ``random_seed`` gives the same
    customers (apart from creation times, which are relative to now).
    """
    if count <= 0:
        return 0
    seed = random_seed if random_seed is not None else random.SystemRandom().getrandbits(64)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        _load_sqlite(engine, count, seed, progress)
    elif dialect == "postgresql":
        _load_postgresql(engine, count, seed, progress)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise ValueError(f"Seeding is not supported on {dialect!r}.")
    return count


def _column_list(columns: Sequence[str]) -> str:
    return ", ".join('"' + c + '"' for c in columns)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({_column_list(columns)}) VALUES ({marks})"


_TABLES = (
    ("customers", CUSTOMER_COLUMNS),
    ("sources", SOURCE_COLUMNS),
    ("tax_identifiers", TAX_ID_COLUMNS),
    ("files", FILE_COLUMNS),
    ("tax_certificates", CERTIFICATE_COLUMNS),
)


def _rows(batch: Batch) -> tuple[list[tuple[Any, ...]], ...]:
    return batch.customers, batch.sources, batch.tax_ids, batch.files, batch.certificates


def _load_sqlite(
    engine: Engine, count: int, seed: int, progress: Callable[[int], None] | None
) -> None:
    wrapper = engine.raw_connection()
    conn = wrapper.driver_connection
    isolation = conn.isolation_level
    cur = conn.cursor()
    try:
        conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves
        pragmas = ("synchronous", "cache_size", "temp_store", "foreign_keys", "analysis_limit")
        saved = {name: cur.execute(f"PRAGMA {name}").fetchone()[0] for name in pragmas}
        # The generated rows are consistent; checking every card's customer costs time.
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-1000000")  # ~1 GB page cache while loading
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("BEGIN IMMEDIATE")
        try:
            existing = cur.execute("SELECT count(*) FROM customers").fetchone()[0]
            taken = {r[0] for r in cur.execute("SELECT id FROM customers WHERE length(id) = 12")}
            # A big load feeds the FTS index a batch at a time (one statement per batch
            # instead of a trigger per row), with a bigger in-memory term buffer.
            fts_triggers = _sqlite_fts_triggers(cur) if count >= BULK_MIN_ROWS else []
            for name, _ in fts_triggers:
                cur.execute(f'DROP TRIGGER "{name}"')
            if fts_triggers:
                cur.execute(
                    "INSERT INTO customers_fts(customers_fts, rank) VALUES('hashsize', ?)",
                    (64 * 1024 * 1024,),
                )
            last_pk = cur.execute("SELECT coalesce(max(pk), 0) FROM customers").fetchone()[0]
            statements = [_insert_sql(table, columns) for table, columns in _TABLES]
            done = 0
            for batch in _batches(count, seed, taken):
                for statement, rows in zip(statements, _rows(batch), strict=True):
                    if rows:
                        cur.executemany(statement, rows)
                if fts_triggers:
                    # New rows get rowids above every earlier one.
                    cur.execute(
                        "INSERT INTO customers_fts(rowid, search_text) "
                        "SELECT pk, search_text FROM customers WHERE pk > ?",
                        (last_pk,),
                    )
                    last_pk = cur.execute("SELECT max(pk) FROM customers").fetchone()[0]
                done += len(batch.customers)
                if progress is not None:
                    progress(done)
            if fts_triggers:
                cur.execute(
                    "INSERT INTO customers_fts(customers_fts, rank) VALUES('hashsize', ?)",
                    (1024 * 1024,),
                )
            for _, sql in fts_triggers:
                cur.execute(sql)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        if count * 5 >= existing:
            # Fresh planner statistics after growing the table by a fifth or more (ANALYZE
            # takes about a second for a million customers).
            cur.execute("PRAGMA analysis_limit=0")
            cur.execute("ANALYZE")
        for name, value in saved.items():
            cur.execute(f"PRAGMA {name}={int(value)}")
    finally:
        cur.close()
        conn.isolation_level = isolation
        wrapper.close()


def _sqlite_fts_triggers(cur: Any) -> list[tuple[str, str]]:
    """The triggers that keep customers_fts in step with customers, as (name, SQL) exactly as
    the database stored them (so putting them back restores the migration's definitions)."""
    if not cur.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customers_fts'"
    ).fetchone():
        return []
    rows = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'customers' "
        "AND sql IS NOT NULL"
    ).fetchall()
    return [(name, sql) for name, sql in rows if "customers_fts" in sql]


def _load_postgresql(
    engine: Engine, count: int, seed: int, progress: Callable[[int], None] | None
) -> None:
    wrapper = engine.raw_connection()
    conn = wrapper.driver_connection
    try:
        with conn.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE")
            existing = cur.execute("SELECT count(*) FROM customers").fetchone()[0]
            taken = {r[0] for r in cur.execute("SELECT id FROM customers WHERE length(id) = 12")}
            bulk = count >= BULK_MIN_ROWS and count >= existing
            recreate: list[str] = []
            frozen: set[str] = set()
            if bulk:
                recreate = _postgresql_drop_secondary(cur)
                # An empty table truncated in this transaction can take its rows frozen:
                # no hint bits to set or vacuum to run later, index-only scans at once.
                for table, _ in _TABLES:
                    if cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
                        cur.execute(f"TRUNCATE {table}")
                        frozen.add(table)
            statements = [
                f"COPY {table} ({_column_list(columns)}) FROM STDIN"
                + (" WITH (FREEZE)" if table in frozen else "")
                for table, columns in _TABLES
            ]
            done = 0
            for batch in _batches(count, seed, taken):
                for statement, rows in zip(statements, _rows(batch), strict=True):
                    if not rows:
                        continue
                    with cur.copy(statement) as copy:
                        for row in rows:
                            copy.write_row(row)
                done += len(batch.customers)
                if progress is not None:
                    progress(done)
            for sql in recreate:
                cur.execute(sql)
            for table, _ in _TABLES:
                cur.execute(f"ANALYZE {table}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        wrapper.close()


def _postgresql_drop_secondary(cur: Any) -> list[str]:
    """Drop the customers table's non-constraint indexes and the foreign keys that point at
    it; return the statements that put them back exactly as they were."""
    indexes = cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid = 'customers'::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1"
    ).fetchall()
    foreign_keys = cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE confrelid = 'customers'::regclass AND contype = 'f'"
    ).fetchall()
    for table, name, _ in foreign_keys:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [sql for _, sql in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in foreign_keys
    ]
